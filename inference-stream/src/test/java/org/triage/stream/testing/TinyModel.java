package org.triage.stream.testing;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.Sha256;

/**
 * A real exported-model directory, tiny: ONNX graphs written by Debian's python3 + onnx
 * (tiny_model.py), model.json written by model-core. Tests that need it skip when python3/onnx is absent.
 */
public final class TinyModel {
    public static final String PYTHON = "/usr/bin/python3";
    public static final int CHANNELS = 3;
    public static final int SIZE = 16;
    public static final int EMBEDDING = 8;
    public static final int CLASS_DIM = 6;

    private TinyModel() {
    }

    public static Path create(Path dir, String name, String version, long seed) throws IOException, InterruptedException {
        String noPython = "skipped: " + PYTHON + " (with onnx) is not installed";
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)) || org.triage.schemas.PeerPolicy.skipAllowed(noPython), noPython);
        Files.createDirectories(dir);
        Path script = dir.resolve("tiny_model.py");
        try (InputStream in = TinyModel.class.getResourceAsStream("tiny_model.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(PYTHON, script.toString(), dir.toString(), "" + CHANNELS, "" + SIZE, "" + EMBEDDING, "" + CLASS_DIM,
                "" + seed).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("tiny_model.py did not finish in 60 s");
        }
        boolean noModule = p.exitValue() != 0 && out.contains("No module named");
        Assumptions.assumeTrue(!noModule || org.triage.schemas.PeerPolicy.skipAllowed("python onnx/numpy missing: " + out),
                "skipped: python onnx/numpy missing: " + out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("tiny_model.py failed: " + out);
        }
        Files.delete(script);
        Map<String, String> artifacts = Map.of(ModelManifest.VISUAL, Sha256.hex(Files.readAllBytes(dir.resolve(ModelManifest.VISUAL))),
                ModelManifest.SEMANTIC, Sha256.hex(Files.readAllBytes(dir.resolve(ModelManifest.SEMANTIC))));
        new ModelManifest(name, version, "tiny-test", 17, SIZE, SIZE, CHANNELS, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, EMBEDDING, CLASS_DIM, "test", "weighted-euclidean", List.of("A"), List.of("covid"),
                Map.of(), Map.of("A", 0.8f), 0.9, artifacts).write(dir);
        return dir;
    }

    /** A 16-bit grayscale PNG with a random texture: what ingest puts on radiographs. */
    public static byte[] png(int size, long seed) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        Random rng = new Random(seed);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                r.setSample(x, y, 0, rng.nextInt(65536));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
