package org.triage.trainer.retrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.triage.model.onnx.Sha256;
import org.triage.trainer.data.DatasetFormatException;
import org.triage.trainer.data.DirectoryDataset;

/**
 * Turns what {@link LogSnapshot} read into a {@link DirectoryDataset} folder: each film in its
 * patient's split, the classes decided by {@link SeenPromotion}, and a snapshot.json recording the
 * offsets and the split so the folder can be rebuilt byte for byte from the log.
 */
public final class SnapshotWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    static final String UNSEEN_OUTSIDE_TEST = "carries a label that stays unseen, outside test";

    private final PatientSplit split;
    private final SeenPromotion promotion;

    public SnapshotWriter(PatientSplit split, SeenPromotion promotion) {
        this.split = split;
        this.promotion = promotion;
    }

    /** @param dir the folder whose images/ the snapshot's films were written to */
    public Snapshot write(LogSnapshot.Content content, Path dir) {
        Map<String, String> assignment = new TreeMap<>();
        Map<String, Integer> trainPositives = new TreeMap<>();
        Map<String, Integer> valPositives = new TreeMap<>();
        for (ConfirmedFilm f : content.films().values()) {
            String s = split.of(f.patient());
            assignment.put(f.sopInstanceUid(), s);
            if (s.equals("train")) {
                f.positives().forEach(l -> trainPositives.merge(l, 1, Integer::sum));
            } else if (s.equals("val")) {
                f.positives().forEach(l -> valPositives.merge(l, 1, Integer::sum));
            }
        }
        SeenPromotion.Classes classes = promotion.decide(content.prototypes(), trainPositives, valPositives);
        if (classes.unseen().isEmpty() && !classes.promoted().isEmpty()) {
            throw new RetrainRefusal("every unseen label has " + promotion.minPositives() + " or more confirmed positives and would become"
                    + " seen (" + String.join(", ", classes.promoted()) + "), leaving no unseen label to measure zero-shot transfer on;"
                    + " raise --min-positives or add an unseen prototype");
        }
        if (classes.seen().isEmpty() || classes.unseen().isEmpty()) {
            throw new DatasetFormatException("label-prototypes must hold at least one seen and one unseen label with a class vector (seen "
                    + classes.seen().size() + ", unseen " + classes.unseen().size() + ")");
        }
        Map<String, Integer> skipped = new TreeMap<>(content.skipped());
        Map<String, Map<String, Integer>> positives = new TreeMap<>();
        StringBuilder csv = new StringBuilder(DirectoryDataset.LABELS_HEADER).append('\n');
        StringBuilder assignmentText = new StringBuilder();
        long[] counts = new long[3];
        for (ConfirmedFilm f : content.films().values()) {
            String s = assignment.get(f.sopInstanceUid());
            if (!s.equals("test") && f.positives().stream().anyMatch(classes.unseen()::contains)) {
                // Unseen labels are for the zero-shot test only; the film cannot move to test without leaking its patient.
                skipped.merge(UNSEEN_OUTSIDE_TEST, 1, Integer::sum);
                deleteImage(dir, f);
                continue;
            }
            List<String> labels = f.positives().stream().sorted().toList();
            csv.append(f.imageId()).append(',').append(s).append(',').append(String.join("|", labels)).append('\n');
            assignmentText.append(f.sopInstanceUid()).append(',').append(s).append('\n');
            counts[s.equals("train") ? 0 : s.equals("val") ? 1 : 2]++;
            for (String l : labels) {
                positives.computeIfAbsent(s, k -> new TreeMap<>()).merge(l, 1, Integer::sum);
            }
        }
        String hash = Sha256.hex(assignmentText.toString().getBytes(StandardCharsets.UTF_8));
        SplitRecord rec = new SplitRecord(split.describe(), split.seed(), split.trainFraction(), split.valFraction(),
                counts[0], counts[1], counts[2], hash);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(DirectoryDataset.LABELS_FILE), csv, StandardCharsets.UTF_8);
            JSON.writeValue(dir.resolve(DirectoryDataset.CLASSES_FILE).toFile(), classesJson(content, classes));
            Snapshot snap = new Snapshot(dir, content.offsets(), rec, classes, positives, skipped);
            JSON.writeValue(dir.resolve(Snapshot.FILE).toFile(), snapshotJson(snap));
            return snap;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the snapshot to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteImage(Path dir, ConfirmedFilm f) {
        try {
            Files.deleteIfExists(dir.resolve(DirectoryDataset.IMAGES_DIR).resolve(f.imageId() + ".png"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> classesJson(LogSnapshot.Content content, SeenPromotion.Classes classes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seen", classes.seen());
        m.put("unseen", classes.unseen());
        m.put("encoder", content.prototypes().get(classes.seen().get(0)).encoder());
        Map<String, float[]> vectors = new TreeMap<>();
        for (String l : classes.seen()) {
            vectors.put(l, content.prototypes().get(l).vector());
        }
        for (String l : classes.unseen()) {
            vectors.put(l, content.prototypes().get(l).vector());
        }
        m.put("vectors", vectors);
        // Radiographs have a laterality: a flipped film is a different finding.
        m.put("horizontalFlipPreservesLabels", false);
        return m;
    }

    private static Map<String, Object> snapshotJson(Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "triage retrain snapshot of radiographs + labels + label-prototypes");
        m.put("offsets", s.offsets().offsets());
        Map<String, Object> sp = new LinkedHashMap<>();
        sp.put("method", s.split().method());
        sp.put("seed", s.split().seed());
        sp.put("trainFraction", s.split().trainFraction());
        sp.put("valFraction", s.split().valFraction());
        sp.put("train", s.split().train());
        sp.put("val", s.split().val());
        sp.put("test", s.split().test());
        sp.put("hash", s.split().hash());
        m.put("split", sp);
        m.put("seen", s.classes().seen());
        m.put("unseen", s.classes().unseen());
        m.put("promotedToSeen", s.classes().promoted());
        m.put("trainPositivesBeforeFiltering", s.classes().trainPositives());
        m.put("positives", s.positives());
        m.put("skipped", s.skipped());
        return m;
    }

    /** Reads the split back from a snapshot folder's snapshot.json (for tests and rebuild checks). */
    public static Map<String, Object> readSnapshotJson(Path dir) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(dir.resolve(Snapshot.FILE).toFile(), Map.class);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
