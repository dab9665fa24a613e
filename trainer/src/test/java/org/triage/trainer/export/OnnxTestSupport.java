package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.triage.trainer.testing.DebianPython;

/** Runs exported graphs with ONNX Runtime and checks them with python onnx's full checker. */
final class OnnxTestSupport {
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
        DebianPython.assumeModules("onnx", "apt-get install python3-onnx runs the ONNX checker");
        DebianPython.Result r = DebianPython.run(120, null,
                List.of("-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')", model.toString()));
        assertEquals(0, r.exitCode(), "onnx.checker.check_model(full_check=True) failed for " + model + ":\n" + r.output());
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
