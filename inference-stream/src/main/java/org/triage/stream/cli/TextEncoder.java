package org.triage.stream.cli;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sentence encoder the user supplies: {@code DIR/model.onnx} (a transformer taking
 * {@code input_ids}, optionally {@code attention_mask} / {@code token_type_ids}, int64
 * [1, seq]) and {@code DIR/tokenizer.json} (HuggingFace tokenizers format, run by DJL's
 * tokenizers; its native library comes from the jar, nothing is downloaded). Optional
 * {@code DIR/encoder.json}: {@code name} (recorded on the prototype; default the folder name),
 * {@code maxLength} (truncation, default 128), {@code padToMaxLength} (for graphs with a fixed
 * sequence length, default false), {@code pooling} ({@code mean} over the attention mask, the
 * default, or {@code cls}), {@code output} (default the graph's first output) and
 * {@code normalize} (L2-normalise the pooled vector, default false). An output of shape
 * [1, seq, dim] is pooled; one of shape [1, dim] is taken as the sentence vector.
 */
final class TextEncoder implements AutoCloseable {
    static final String MODEL = "model.onnx";
    static final String TOKENIZER = "tokenizer.json";
    static final String CONFIG = "encoder.json";
    static final Set<String> INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

    /** encoder.json. */
    record Config(String name, Integer maxLength, Boolean padToMaxLength, String pooling, String output, Boolean normalize) {
    }

    enum Pooling { MEAN, CLS }

    private final String name;
    private final Config config;
    private final Pooling pooling;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String output;

    private TextEncoder(String name, Config config, Pooling pooling, HuggingFaceTokenizer tokenizer, OrtEnvironment env, OrtSession session,
                        String output) {
        this.name = name;
        this.config = config;
        this.pooling = pooling;
        this.tokenizer = tokenizer;
        this.env = env;
        this.session = session;
        this.output = output;
    }

    /** Opens {@code dir}; every problem is an {@link IllegalArgumentException} that says what to fix. */
    static TextEncoder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("encoder model " + dir + " is not a directory (it must hold " + MODEL + " and " + TOKENIZER + ")");
        }
        Path model = dir.resolve(MODEL);
        Path tok = dir.resolve(TOKENIZER);
        for (Path f : new Path[] {model, tok}) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("encoder model " + dir + " has no " + f.getFileName() + " (it must hold " + MODEL + " and "
                        + TOKENIZER + ")");
            }
            if (!Files.isReadable(f)) {
                throw new IllegalArgumentException(f + " cannot be read (permission denied)");
            }
        }
        Config c = config(dir.resolve(CONFIG));
        String name = c.name() != null && !c.name().isBlank() ? c.name() : dir.toAbsolutePath().normalize().getFileName().toString();
        int maxLength = c.maxLength() == null ? 128 : c.maxLength();
        if (maxLength < 2) {
            throw new IllegalArgumentException(dir.resolve(CONFIG) + ": maxLength must be at least 2, is " + maxLength);
        }
        Pooling pooling;
        try {
            pooling = Pooling.valueOf((c.pooling() == null ? "mean" : c.pooling()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir.resolve(CONFIG) + ": pooling must be 'mean' or 'cls', is '" + c.pooling() + "'");
        }
        HuggingFaceTokenizer tokenizer = tokenizer(tok, maxLength, Boolean.TRUE.equals(c.padToMaxLength()));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try {
            session = env.createSession(model.toString(), new OrtSession.SessionOptions());
            if (!session.getInputNames().contains("input_ids")) {
                throw new IllegalArgumentException(model + " has no input 'input_ids' (inputs: " + session.getInputNames()
                        + "): give a sentence encoder exported with HuggingFace input names");
            }
            for (Map.Entry<String, NodeInfo> in : session.getInputInfo().entrySet()) {
                if (!INPUTS.contains(in.getKey())) {
                    throw new IllegalArgumentException(model + " takes input '" + in.getKey() + "'; supported inputs are " + INPUTS);
                }
                if (!(in.getValue().getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.INT64) {
                    throw new IllegalArgumentException(model + ": input '" + in.getKey() + "' must be an int64 tensor, is " + in.getValue().getInfo());
                }
            }
            String out = c.output() != null ? c.output() : session.getOutputNames().iterator().next();
            if (!session.getOutputNames().contains(out)) {
                throw new IllegalArgumentException(model + " has no output '" + out + "' (outputs: " + session.getOutputNames() + "); fix 'output' in "
                        + CONFIG);
            }
            return new TextEncoder(name, c, pooling, tokenizer, env, session, out);
        } catch (OrtException e) {
            tokenizer.close();
            throw new IllegalArgumentException(model + " is not a loadable ONNX model: " + e.getMessage());
        } catch (RuntimeException e) {
            tokenizer.close();
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // closing after a failure
                }
            }
            throw e;
        }
    }

    private static Config config(Path file) {
        if (!Files.exists(file)) {
            return new Config(null, null, null, null, null, null);
        }
        try {
            return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(file.toFile(), Config.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown key '" + e.getPropertyName()
                    + "' (known: name, maxLength, padToMaxLength, pooling, output, normalize)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a valid encoder.json: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static HuggingFaceTokenizer tokenizer(Path file, int maxLength, boolean pad) {
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "true");
        options.put("maxLength", Integer.toString(maxLength));
        options.put("padding", pad ? "max_length" : "false");
        try {
            return HuggingFaceTokenizer.newInstance(file, options);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
        } catch (LinkageError e) {
            throw new IllegalArgumentException("the HuggingFace tokenizers native library could not be loaded (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not a HuggingFace tokenizer.json: " + e.getMessage());
        }
    }

    String name() {
        return name;
    }

    boolean normalizes() {
        return Boolean.TRUE.equals(config.normalize());
    }

    /** The sentence vector of {@code text}. */
    float[] encode(String text) {
        Encoding enc = tokenizer.encode(text);
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        long[] types = enc.getTypeIds();
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (String in : session.getInputNames()) {
                long[] data = switch (in) {
                    case "input_ids" -> ids;
                    case "attention_mask" -> mask;
                    default -> types;
                };
                inputs.put(in, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                Optional<OnnxValue> v = r.get(output);
                if (v.isEmpty() || !(v.get() instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
                    throw new IllegalArgumentException("encoder output '" + output + "' is not a float tensor");
                }
                long[] s = t.getInfo().getShape();
                FloatBuffer fb = t.getFloatBuffer();
                float[] flat = new float[fb.remaining()];
                fb.get(flat);
                float[] out;
                if (s.length == 3 && s[0] == 1 && s[1] == ids.length) {
                    int dim = (int) s[2];
                    float[][] tokens = new float[ids.length][dim];
                    for (int i = 0; i < ids.length; i++) {
                        System.arraycopy(flat, i * dim, tokens[i], 0, dim);
                    }
                    out = pool(tokens, mask, pooling);
                } else if (s.length == 2 && s[0] == 1) {
                    out = flat;
                } else {
                    throw new IllegalArgumentException("encoder output '" + output + "' has shape " + java.util.Arrays.toString(s) + "; expected [1, "
                            + ids.length + ", dim] (token embeddings) or [1, dim] (a sentence vector)");
                }
                return normalizes() ? l2(out) : out;
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException("the encoder model failed on the text: " + e.getMessage());
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Mean over the tokens whose attention mask is 1, or the first token (CLS). */
    static float[] pool(float[][] tokens, long[] mask, Pooling pooling) {
        int dim = tokens[0].length;
        if (pooling == Pooling.CLS) {
            return tokens[0].clone();
        }
        double[] sum = new double[dim];
        int n = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (mask[i] == 0) {
                continue;
            }
            n++;
            for (int d = 0; d < dim; d++) {
                sum[d] += tokens[i][d];
            }
        }
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = n == 0 ? 0f : (float) (sum[d] / n);
        }
        return out;
    }

    static float[] l2(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        if (s == 0 || !Double.isFinite(s)) {
            return v; // the zero-norm / finiteness checks report it
        }
        double norm = Math.sqrt(s);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException ignored) {
            // nothing to do
        }
    }
}
