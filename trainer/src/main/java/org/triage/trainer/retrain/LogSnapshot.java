package org.triage.trainer.retrain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.triage.events.ConfirmedLabels;
import org.triage.events.LabelPrototype;
import org.triage.events.RadiographEvent;
import org.triage.model.onnx.Sha256;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Reads what a retraining learns from: the class vectors on label-prototypes, the latest
 * confirmation per film on labels, and the films on radiographs, all up to one set of end offsets
 * (the topics' ends now, or a recorded set to rebuild an earlier snapshot). Only confirmed films
 * are kept: a label the radiologist neither confirmed nor denied is unknown, and an unconfirmed
 * film has only unknown labels. Images are written to disk as they stream past; nothing but the
 * labels is held in memory.
 */
public final class LogSnapshot {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** What was read. */
    public record Content(TopicOffsets offsets, Map<String, Prototype> prototypes, Map<String, ConfirmedFilm> films,
                          Map<String, Integer> skipped) {
    }

    private final String bootstrap;
    private final String registryUrl;
    private final KafkaClientProperties client;
    private final Duration timeout;

    public LogSnapshot(String bootstrap, String registryUrl, KafkaClientProperties client, Duration timeout) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.client = client;
        this.timeout = timeout;
    }

    /** The current end of the topics a snapshot reads, without reading them. */
    public TopicOffsets currentEnds() {
        LogReader reader = new LogReader(bootstrap, client, timeout);
        Map<String, Long> all = new TreeMap<>();
        for (String topic : new String[] {Topics.LABEL_PROTOTYPES, Topics.LABELS, Topics.RADIOGRAPHS}) {
            reader.endOffsets(topic).forEach((tp, end) -> all.put(TopicOffsets.key(tp), end));
        }
        return new TopicOffsets(all);
    }

    /**
     * @param ends  where to stop (null: the topics' current ends, fixed before the first record is read)
     * @param imagesDir where the films' PNGs go
     */
    public Content read(TopicOffsets ends, Path imagesDir) {
        TopicOffsets stop = ends != null ? ends : currentEnds();
        LogReader reader = new LogReader(bootstrap, client, timeout);
        Map<String, Long> read = new TreeMap<>();
        Map<String, Integer> skipped = new TreeMap<>();

        Map<String, Prototype> prototypes = new TreeMap<>();
        try (var serde = AvroSerdes.specific(LabelPrototype.class, client.serdeConfig(registryUrl), false)) {
            record(read, reader.read(Topics.LABEL_PROTOTYPES, serde.deserializer(), stop, (key, p) -> {
                if (p == null) {
                    prototypes.remove(key); // a tombstone retires the label
                } else if (p.getVector().isEmpty()) {
                    prototypes.remove(p.getLabelId()); // a shared-space prototype has no class vector to train on
                } else {
                    float[] v = new float[p.getVector().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = p.getVector().get(i);
                    }
                    prototypes.put(p.getLabelId(), new Prototype(p.getLabelId(), p.getKind(), v, p.getVectorEncoder()));
                }
            }));
        }

        Map<String, ConfirmedLabels> confirmations = new LinkedHashMap<>();
        try (var serde = AvroSerdes.specific(ConfirmedLabels.class, client.serdeConfig(registryUrl), false)) {
            record(read, reader.read(Topics.LABELS, serde.deserializer(), stop, (key, c) -> {
                if (c != null) {
                    confirmations.put(c.getSopInstanceUid(), c); // offset order: a later confirmation supersedes
                }
            }));
        }

        Map<String, ConfirmedFilm> films = new TreeMap<>();
        try {
            Files.createDirectories(imagesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + imagesDir + ": " + e.getMessage(), e);
        }
        try (var serde = AvroSerdes.specific(RadiographEvent.class, client.serdeConfig(registryUrl), false)) {
            record(read, reader.read(Topics.RADIOGRAPHS, serde.deserializer(), stop, (key, ev) -> {
                if (ev == null) {
                    return;
                }
                String sop = ev.getSopInstanceUid();
                ConfirmedLabels c = confirmations.get(sop);
                if (c == null) {
                    count(skipped, "not confirmed");
                    return;
                }
                Set<String> positives = new LinkedHashSet<>();
                for (String l : c.getLabels()) {
                    if (prototypes.containsKey(l)) {
                        positives.add(l);
                    }
                }
                if (positives.isEmpty()) {
                    // "no finding" or only denials: nothing this dataset format can hold as a positive
                    count(skipped, "no confirmed label that is a prototype");
                    return;
                }
                ImageFetcher.Fetched img = ImageFetcher.fetch(ev.getImage());
                if (!img.ok()) {
                    count(skipped, img.problem());
                    films.remove(sop);
                    return;
                }
                String id = imageId(sop);
                try {
                    Files.write(imagesDir.resolve(id + ".png"), img.bytes());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + imagesDir.resolve(id + ".png") + ": " + e.getMessage(), e);
                }
                films.put(sop, new ConfirmedFilm(sop, id, ev.getPatientPseudonym(), positives));
            }));
        }
        return new Content(new TopicOffsets(read), prototypes, films, skipped);
    }

    private static void record(Map<String, Long> read, Map<TopicPartition, Long> ends) {
        ends.forEach((tp, end) -> read.put(TopicOffsets.key(tp), end));
    }

    private static void count(Map<String, Integer> skipped, String reason) {
        skipped.merge(reason, 1, Integer::sum);
    }

    /** The SOP UID where it is a safe file name (DICOM UIDs are), else a hash of it. */
    static String imageId(String sop) {
        return SAFE_ID.matcher(sop).matches() ? sop : "sop-" + Sha256.hex(sop.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }
}
