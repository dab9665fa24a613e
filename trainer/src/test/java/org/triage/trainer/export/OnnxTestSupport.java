package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs exported graphs with ONNX Runtime and checks them with python onnx's full checker. */
final class OnnxTestSupport {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private OnnxTestSupport() {
    }

    /** Flat output of the model's single output for a flat input of the given shape. */
    static float[] runOrt(byte[] model, float[] input, long... shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(model, opts);
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] a = new float[fb.remaining()];
            fb.get(a);
            return a;
        }
    }

    /** onnx.checker.check_model(full_check=True); skips the test when python3-onnx is not installed. */
    static void checkWithPythonOnnx(Path model) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "skipped: " + PYTHON + " not found (install Debian python3-onnx to run the ONNX checker)");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import onnx").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "skipped: python3 has no 'onnx' module (apt-get install python3-onnx)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c",
                "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')", model.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertEquals(0, done ? p.exitValue() : -1, "onnx.checker.check_model(full_check=True) failed for " + model + ":\n" + out);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "output sizes differ");
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
