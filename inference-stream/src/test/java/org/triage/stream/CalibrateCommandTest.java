package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Calibration;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.cli.PrototypeRepository;
import org.triage.stream.cli.PrototypesCommand;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.testing.CliRun;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * {@code prototypes calibrate} against a real broker and a real (tiny) ONNX model: the threshold
 * it records equals the quantile computed here independently from the same stored embeddings,
 * and only embeddings of the model in service count.
 */
@Timeout(180)
class CalibrateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void recordsTheReferenceQuantileOnANewPrototypeVersion() throws Exception {
        Path dir = TinyModel.create(tmp.resolve("model"), "tiny", "1", 9);
        try (LocalStack stack = LocalStack.start(); BatchEmbedder model = new OnnxModelLoader().load(dir)) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            Random rng = new Random(3);
            float[] vector = new float[TinyModel.CLASS_DIM];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) rng.nextGaussian();
            }
            LabelPrototype covid = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.CALIBRATED, null, false, vector);
            new PrototypeRepository(bootstrap, registry).write("covid", covid);
            float[] projected = model.project(new float[][] {vector})[0];
            List<float[]> reference = new ArrayList<>();
            try (KafkaProducer<String, ImageEmbedding> p = KafkaTestIo.producer(bootstrap, registry, ImageEmbedding.class)) {
                for (int i = 0; i < 400; i++) {
                    float[] e = new float[TinyModel.EMBEDDING];
                    for (int j = 0; j < e.length; j++) {
                        e[j] = projected[j] + (float) (rng.nextGaussian() * (i % 10 == 0 ? 0.05 : 1.0));
                    }
                    reference.add(e);
                    p.send(new ProducerRecord<>(Topics.EMBEDDINGS, "sop-" + i, embedding("sop-" + i, "1", e)));
                }
                // Another model's embeddings sit on the prototype: counting them would lower the threshold.
                for (int i = 0; i < 200; i++) {
                    p.send(new ProducerRecord<>(Topics.EMBEDDINGS, "old-" + i, embedding("old-" + i, "0", projected)));
                }
                p.flush();
            }
            CliRun run = CliRun.of(new PrototypesCommand(), bootstrap, registry, "calibrate", "--id", "covid", "--model-dir", dir.toString(),
                    "--target-rate", "0.05", "--by", "epidemiologist");
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("calibrated covid v2: threshold") && run.out().contains("for tiny:1"), run.out());

            float[] d = new float[reference.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = model.distance(reference.get(i), projected);
            }
            Arrays.sort(d);
            double expected = d[(int) Math.ceil(0.05 * d.length) - 1];
            LabelPrototype after = new PrototypeRepository(bootstrap, registry).current(Duration.ofSeconds(30)).get("covid");
            Calibration c = after.getAlertPolicy().getCalibration();
            assertEquals(2, after.getVersion());
            assertEquals("epidemiologist", after.getAuthor());
            assertEquals("tiny:1", c.getModel());
            assertEquals(400, c.getReferenceFilms(), "only the model in service's embeddings");
            assertEquals(expected, c.getThreshold(), 1e-6);
            System.out.println(run.out().strip());

            CliRun unknown = CliRun.of(new PrototypesCommand(), bootstrap, registry, "calibrate", "--id", "nope", "--model-dir", dir.toString());
            assertEquals(2, unknown.code());
            assertTrue(unknown.err().contains("no active prototype 'nope'"), unknown.err());
        }
    }

    private static ImageEmbedding embedding(String sop, String version, float[] v) {
        List<Float> vector = new ArrayList<>();
        for (float f : v) {
            vector.add(f);
        }
        return ImageEmbedding.newBuilder().setSopInstanceUid(sop).setPatientPseudonym("p").setVector(vector)
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion(version).build()).setReceivedAt(Instant.now()).build();
    }
}
