package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.onnx.ModelLoadException;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainedModel;

/**
 * Issue 4 item 3: loading refuses a truncated or tampered artifact, a manifest whose dims disagree
 * with the graph, and a missing file, each with a message naming the file and the problem. Plus
 * train/serve skew: model-core's preprocessing then the exported graph equals the trainer's
 * TrainedModel on the same image bytes.
 */
class ExportedModelLoadTest {
    @TempDir
    static Path tmp;
    static Path exported;
    static TrainedModel model;

    @BeforeAll
    static void export() {
        exported = ExportFixtures.randomModel(tmp.resolve("good"), ArchSpec.densenetTiny(), 36, 32, 12, 3);
        model = TrainedModel.load(exported);
        ModelExporter.export(model, exported, ModelExporter.Options.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A copy of the good export to damage. */
    private static Path copy(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(exported)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    private static String refused(Path dir) {
        return assertThrows(ModelLoadException.class, () -> ExportedModel.load(dir, ExportedModel.DevicePreference.CPU)).getMessage();
    }

    @Test
    void goodExportLoadsOnCpu() {
        try (ExportedModel m = ExportedModel.load(exported, ExportedModel.DevicePreference.CPU)) {
            assertEquals("cpu", m.device());
            assertEquals(8, m.embedImages(new float[2][3 * 32 * 32])[0].length);
        }
    }

    @Test
    void exportIsDeterministic() throws Exception {
        Path again = tmp.resolve("again");
        ModelManifest m = ModelExporter.export(model, again, ModelExporter.Options.defaults()).manifest();
        assertEquals(ModelManifest.read(exported).artifacts(), m.artifacts(), "same weights, same bytes: the SHA-256 identifies the model");
    }

    @Test
    void truncatedArtifactIsRefused() throws Exception {
        Path dir = copy("truncated");
        byte[] b = Files.readAllBytes(dir.resolve(ModelManifest.VISUAL));
        Files.write(dir.resolve(ModelManifest.VISUAL), java.util.Arrays.copyOf(b, b.length / 2));
        String msg = refused(dir);
        assertTrue(msg.startsWith("visual.onnx: SHA-256 mismatch") && msg.contains("truncated"), msg);
    }

    @Test
    void tamperedArtifactIsRefused() throws Exception {
        Path dir = copy("tampered");
        byte[] b = Files.readAllBytes(dir.resolve(ModelManifest.SEMANTIC));
        b[b.length - 10] ^= 0x01; // one bit of a weight
        Files.write(dir.resolve(ModelManifest.SEMANTIC), b);
        String msg = refused(dir);
        assertTrue(msg.startsWith("semantic.onnx: SHA-256 mismatch"), msg);
    }

    @Test
    void missingArtifactIsRefused() throws Exception {
        Path dir = copy("missing");
        Files.delete(dir.resolve(ModelManifest.SEMANTIC));
        String msg = refused(dir);
        assertTrue(msg.startsWith("semantic.onnx: missing"), msg);
    }

    @Test
    void missingManifestIsRefused() throws Exception {
        Path dir = copy("nomanifest");
        Files.delete(dir.resolve(ModelManifest.FILE_NAME));
        String msg = refused(dir);
        assertTrue(msg.startsWith("model.json: missing"), msg);
    }

    @Test
    void manifestDimsDisagreeingWithTheGraphAreRefused() throws Exception {
        Path dir = copy("dims");
        ModelManifest m = ModelManifest.read(dir);
        new ModelManifest(m.name(), m.version(), m.architecture(), m.opset(), m.resize() + 8, m.inputSize() + 8, m.channels(), m.mean(),
                m.std(), m.embeddingDim(), m.classVectorDim(), m.classVectorEncoder(), m.distance(), m.seenLabels(), m.unseenLabels(),
                m.metrics(), m.thresholds(), m.targetSpecificity(), m.artifacts()).write(dir);
        String msg = refused(dir);
        assertTrue(msg.startsWith("visual.onnx: graph input 'image' has shape [N,3,32,32] but model.json implies [N,3,40,40]"), msg);

        Path dir2 = copy("dims2");
        new ModelManifest(m.name(), m.version(), m.architecture(), m.opset(), m.resize(), m.inputSize(), m.channels(), m.mean(),
                m.std(), m.embeddingDim() + 1, m.classVectorDim(), m.classVectorEncoder(), m.distance(), m.seenLabels(), m.unseenLabels(),
                m.metrics(), m.thresholds(), m.targetSpecificity(), m.artifacts()).write(dir2);
        String msg2 = refused(dir2);
        assertTrue(msg2.startsWith("visual.onnx: graph output 'embedding' has shape [N,8] but model.json implies [N,9]"), msg2);
    }

    @Test
    void garbageManifestIsRefused() throws Exception {
        Path dir = copy("garbage");
        Files.writeString(dir.resolve(ModelManifest.FILE_NAME), "{\"name\": \"x\", ");
        String msg = refused(dir);
        assertTrue(msg.startsWith("model.json: not a valid manifest"), msg);
    }

    /** Train/serve skew: same bytes -> same tensor -> same embedding on both sides. */
    @Test
    void servingPathEqualsTrainerOnTheSameImage() throws Exception {
        List<byte[]> images = new java.util.ArrayList<>();
        for (Path p : ExportFixtures.realImages(2)) {
            images.add(Files.readAllBytes(p));
        }
        images.add(syntheticPng(300, 260, 9)); // always present, not square, so resize + center crop both matter
        try (ExportedModel serving = ExportedModel.load(exported, ExportedModel.DevicePreference.CPU)) {
            ImagePreprocessor streamSide = new ImagePreprocessor(serving.manifest().preprocessSpec());
            ImagePreprocessor trainerSide = model.preprocessor();
            for (byte[] img : images) {
                float[] s = streamSide.preprocess(img);
                float[] t = trainerSide.preprocess(img);
                assertArrayEquals(t, s, "the stream's tensor differs from the trainer's");
                float[] es = serving.embedImages(new float[][] {s})[0];
                float[] et = model.embedImages(new float[][] {t})[0];
                ModelExportParityTest.assertClose("skew", new float[][] {et}, new float[][] {es});
            }
        }
    }

    static byte[] syntheticPng(int w, int h, long seed) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 3 + y + r.nextInt(20)) & 0xff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
