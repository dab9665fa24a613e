package org.triage.model.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses CUDA or CPU for ONNX Runtime sessions. CUDA only when this build carries the CUDA
 * provider (Maven profile {@code gpu}: onnxruntime_gpu) and the provider initialises on device 0
 * (driver, CUDA/cuDNN libraries and a GPU present); otherwise CPU, and the reason is logged.
 */
final class DeviceSelector {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);

    private DeviceSelector() {
    }

    record Choice(boolean cuda, String device, String reason) {
        OrtSession open(OrtEnvironment env, byte[] model, String file) {
            // ONNX Runtime copies the options into the session, so they can be closed right after.
            try (OrtSession.SessionOptions opts = options(cuda)) {
                return env.createSession(model, opts);
            } catch (OrtException e) {
                throw new ModelLoadException(file + ": ONNX Runtime cannot load it on " + device + ": " + e.getMessage(), e);
            }
        }
    }

    static Choice choose(OrtEnvironment env, ExportedModel.DevicePreference pref) {
        if (pref == ExportedModel.DevicePreference.CPU) {
            return log(new Choice(false, "cpu", "CPU requested (TRIAGE_ORT_DEVICE=cpu)"));
        }
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            return fallback(pref, "this ONNX Runtime build has no CUDA provider (providers " + providers
                    + "); build with the Maven profile -Pgpu to use onnxruntime_gpu");
        }
        try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
            probe.addCUDA(0);
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            return fallback(pref, "the CUDA provider did not initialise on device 0: " + e.getMessage());
        }
        return log(new Choice(true, "gpu:0", "CUDA provider initialised on device 0"));
    }

    private static Choice fallback(ExportedModel.DevicePreference pref, String why) {
        if (pref == ExportedModel.DevicePreference.CUDA) {
            throw new ModelLoadException("CUDA requested (TRIAGE_ORT_DEVICE=cuda) but " + why);
        }
        return log(new Choice(false, "cpu", why));
    }

    private static Choice log(Choice c) {
        LOG.info("ONNX Runtime device: {} ({})", c.device(), c.reason());
        return c;
    }

    static OrtSession.SessionOptions options(boolean cuda) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (cuda) {
            opts.addCUDA(0);
        }
        return opts;
    }
}
