package org.triage.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.triage.model.manifest.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exported model loaded for inference: manifest + visual.onnx + semantic.onnx, run by ONNX
 * Runtime (the runtime DJL's "OnnxRuntime" engine wraps; used directly so that the CUDA-or-CPU
 * choice and its reason are explicit, and batches go in as one direct buffer without an NDManager).
 * CUDA when a GPU is present and working, CPU otherwise.
 * Loading verifies every artifact's SHA-256 against the manifest and the graphs' dims against it.
 */
public final class ExportedModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExportedModel.class);

    /** Device preference: env TRIAGE_ORT_DEVICE or system property triage.ort.device = auto | cpu | cuda. */
    public enum DevicePreference { AUTO, CPU, CUDA }

    private final ModelManifest manifest;
    private final OrtEnvironment env;
    private final OrtSession visual;
    private final OrtSession semantic;
    private final String visualInput;
    private final String semanticInput;
    private final String device;

    private ExportedModel(ModelManifest manifest, OrtEnvironment env, OrtSession visual, OrtSession semantic, String device) {
        this.manifest = manifest;
        this.env = env;
        this.visual = visual;
        this.semantic = semantic;
        this.visualInput = visual.getInputNames().iterator().next();
        this.semanticInput = semantic.getInputNames().iterator().next();
        this.device = device;
    }

    /** Loads and verifies; throws {@link ModelLoadException} naming the file and the problem. */
    public static ExportedModel load(Path modelDir) {
        return load(modelDir, configuredPreference());
    }

    public static ExportedModel load(Path modelDir, DevicePreference preference) {
        ModelManifest manifest = ModelManifest.read(modelDir);
        byte[] visualBytes = verifiedArtifact(modelDir, manifest, ModelManifest.VISUAL);
        byte[] semanticBytes = verifiedArtifact(modelDir, manifest, ModelManifest.SEMANTIC);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        DeviceSelector.Choice choice = DeviceSelector.choose(env, preference);
        OrtSession visual = null;
        OrtSession semantic = null;
        try {
            visual = choice.open(env, visualBytes, ModelManifest.VISUAL);
            semantic = choice.open(env, semanticBytes, ModelManifest.SEMANTIC);
            checkGraph(ModelManifest.VISUAL, visual,
                    new long[] {-1, manifest.channels(), manifest.inputSize(), manifest.inputSize()},
                    new long[] {-1, manifest.embeddingDim()});
            checkGraph(ModelManifest.SEMANTIC, semantic,
                    new long[] {-1, manifest.classVectorDim()},
                    new long[] {-1, manifest.embeddingDim()});
            LOG.info("loaded model {} {} on {} ({})", manifest.name(), manifest.version(), choice.device(), choice.reason());
            return new ExportedModel(manifest, env, visual, semantic, choice.device());
        } catch (RuntimeException e) {
            closeQuietly(visual);
            closeQuietly(semantic);
            throw e;
        }
    }

    static DevicePreference configuredPreference() {
        String v = System.getProperty("triage.ort.device", System.getenv().getOrDefault("TRIAGE_ORT_DEVICE", "auto"));
        try {
            return DevicePreference.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("TRIAGE_ORT_DEVICE / triage.ort.device: '" + v + "' is not one of auto, cpu, cuda");
        }
    }

    /** Reads an artifact whole and checks its SHA-256, so the bytes that were verified are the bytes that run. */
    private static byte[] verifiedArtifact(Path dir, ModelManifest manifest, String file) {
        String expected = manifest.artifacts().get(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(file));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(file + ": missing in " + dir + " (listed in " + ModelManifest.FILE_NAME + ")");
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot be read in " + dir + ": " + e.getMessage(), e);
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equals(expected)) {
            throw new ModelLoadException(file + ": SHA-256 mismatch in " + dir + ": " + ModelManifest.FILE_NAME + " says "
                    + expected + ", the file (" + bytes.length + " bytes) has " + actual + " (truncated, tampered with, or from another release)");
        }
        return bytes;
    }

    private static void checkGraph(String file, OrtSession session, long[] in, long[] out) {
        try {
            checkOne(file, "input", session.getInputInfo(), in);
            checkOne(file, "output", session.getOutputInfo(), out);
        } catch (OrtException e) {
            throw new ModelLoadException(file + ": cannot read the graph's inputs/outputs: " + e.getMessage(), e);
        }
    }

    private static void checkOne(String file, String kind, Map<String, NodeInfo> infos, long[] expected) {
        if (infos.size() != 1) {
            throw new ModelLoadException(file + ": expected exactly one graph " + kind + ", found " + infos.keySet());
        }
        NodeInfo info = infos.values().iterator().next();
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new ModelLoadException(file + ": graph " + kind + " '" + info.getName() + "' is not a tensor");
        }
        long[] shape = t.getShape();
        // -1 in the graph is a symbolic dim; only the batch dim may be symbolic.
        boolean ok = shape.length == expected.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = i == 0 ? shape[0] == -1 || shape[0] > 0 : shape[i] == expected[i];
        }
        if (!ok) {
            throw new ModelLoadException(file + ": graph " + kind + " '" + info.getName() + "' has shape " + dims(shape)
                    + " but " + ModelManifest.FILE_NAME + " implies " + dims(expected) + " (N = batch)");
        }
    }

    private static String dims(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? "," : "").append(shape[i] < 0 ? "N" : Long.toString(shape[i]));
        }
        return b.append(']').toString();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** Embeds a batch of preprocessed images, each a CHW float array; returns [N][embeddingDim]. */
    public float[][] embedImages(float[][] batch) {
        int chw = manifest.channels() * manifest.inputSize() * manifest.inputSize();
        return run(visual, visualInput, batch, chw, "image",
                new long[] {batch.length, manifest.channels(), manifest.inputSize(), manifest.inputSize()});
    }

    /** Projects class vectors [M][classVectorDim] into the shared space; returns [M][embeddingDim]. */
    public float[][] projectClassVectors(float[][] classVectors) {
        int d = manifest.classVectorDim();
        return run(semantic, semanticInput, classVectors, d, "class vector", new long[] {classVectors.length, d});
    }

    private float[][] run(OrtSession session, String input, float[][] rows, int rowLength, String what, long[] shape) {
        if (rows.length == 0) {
            return new float[0][];
        }
        FloatBuffer buf = FloatBuffer.allocate(rows.length * rowLength);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != rowLength) {
                throw new IllegalArgumentException(what + " " + i + " has " + (rows[i] == null ? "no" : rows[i].length)
                        + " values, the model takes " + rowLength);
            }
            buf.put(rows[i]);
        }
        buf.flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, buf, shape);
             OrtSession.Result r = session.run(Map.of(input, t))) {
            return (float[][]) r.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows.length + " " + what + "s: " + e.getMessage(), e);
        }
    }

    /** "gpu:0" or "cpu", as chosen at load time. */
    public String device() {
        return device;
    }

    @Override
    public void close() {
        closeQuietly(visual);
        closeQuietly(semantic);
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                LOG.warn("closing an ONNX Runtime session failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "ExportedModel[" + manifest.name() + " " + manifest.version() + " on " + device + ", artifacts "
                + Arrays.toString(manifest.artifacts().keySet().toArray()) + "]";
    }
}
