package org.triage.trainer.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.NormalisedImage;
import org.triage.events.RadiographEvent;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.trainer.cli.ExportCommand;
import org.triage.trainer.cli.PhantomCommand;
import org.triage.trainer.cli.TrainCommand;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import picocli.CommandLine;

/**
 * The learning-loop tests' common ground (trainer's {@code RetrainFromLogTest}, cli's
 * {@code LearningLoopTest}): a small phantom, a densenet-tiny champion published PROMOTED as v1,
 * and the phantom's films as radiograph events (two films per patient) on a real broker.
 */
public final class LogFixtures {
    public static final String MODEL = "cm-dml-gzsl";

    private LogFixtures() {
    }

    /** Phantom seed 11: 360 train and 100 val films of the seen classes, {@code test} films with the unseen ones too. */
    public static Path phantom(Path dir, int test) {
        assertEquals(0, new CommandLine(new PhantomCommand()).execute("--out", dir.toString(), "--seed", "11", "--train", "360",
                "--val", "100", "--test", Integer.toString(test), "--no-preview", "--threads", "2"));
        return dir;
    }

    /** Trains a densenet-tiny champion on {@code data} and publishes it PROMOTED as {@code MODEL:v1} into {@code store}. */
    public static void publishChampion(LocalStack stack, Path data, Path work, Path store, int epochs) {
        Path model = work.resolve("champion");
        assertEquals(0, new CommandLine(new TrainCommand()).execute("--data", data.toString(), "--out", model.toString(), "--arch",
                "densenet-tiny", "--epochs", Integer.toString(epochs), "--lr", "3e-3", "--no-progress", "--threads", "2"));
        assertEquals(0, new CommandLine(new ExportCommand()).execute("--model", model.toString(), "--val-data", data.toString(),
                "--out", work.resolve("champion-export").toString(), "--release-version", "v1", "--publish", "--status", "PROMOTED",
                "--store", store.toString(), "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url",
                stack.schemaRegistryUrl()));
    }

    /** Every film of the dataset, in an order that mixes the splits (the log's films arrive in no split order). */
    public static List<Sample> films(GzslDataset ds, long seed) {
        List<Sample> films = new ArrayList<>();
        for (String split : List.of("train", "val", "test")) {
            films.addAll(ds.split(split));
        }
        Collections.shuffle(films, new Random(seed));
        return films;
    }

    /** Film {@code i} of the log as ingest would publish it: 8-bit PNG inline, patient {@code i / 2}. */
    public static RadiographEvent radiograph(Sample s, int i) {
        try {
            byte[] png = Files.readAllBytes(s.imagePath());
            NormalisedImage img = NormalisedImage.newBuilder().setWidth(64).setHeight(64).setBitsStored(8).setEncoding("png8")
                    .setData(ByteBuffer.wrap(png)).setUri(null).setSha256(Sha256.hex(png)).setPixelSha256(Sha256.hex(png))
                    .setOriginalWidth(64).setOriginalHeight(64).setOriginalPhotometric(null).build();
            return RadiographEvent.newBuilder().setEventId("ev-" + i).setSopInstanceUid(sop(s)).setStudyInstanceUid("2.25." + (1000 + i))
                    .setPatientPseudonym(patient(i)).setSourceSystem("test").setReceivedAt(Instant.now()).setImage(img).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void send(KafkaProducer<String, RadiographEvent> p, Sample s, int i) {
        RadiographEvent ev = radiograph(s, i);
        p.send(new ProducerRecord<>(Topics.RADIOGRAPHS, ev.getSopInstanceUid(), ev));
    }

    public static String patient(int filmIndex) {
        return "patient-" + (filmIndex / 2);
    }

    public static String sop(Sample s) {
        return "2.25.9" + Math.abs((long) s.imageId().hashCode());
    }

    public static <T extends SpecificRecord> KafkaProducer<String, T> producer(LocalStack stack, Class<T> type) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return new KafkaProducer<>(p, new StringSerializer(), AvroSerdes.specific(type, stack.schemaRegistryUrl(), false).serializer());
    }
}
