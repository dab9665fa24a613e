package org.triage.trainer.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.CrossModalNet;
import org.triage.trainer.model.ModelConfig;
import org.triage.trainer.model.TrainHyper;

/**
 * Writes a model directory (config.json + model.params, the layout {@code triage train} writes)
 * with freshly initialised weights: for export tests, parity checks and {@code bench model
 * --random-init}. With {@code realisticNorms}, BatchNorm statistics and affine parameters are
 * drawn away from their identity initial values, as they are after training, so that a parity
 * check exercises them.
 */
public final class RandomModelDir {
    private RandomModelDir() {
    }

    public static Path create(Path dir, ArchSpec arch, PreprocessSpec pre, List<String> seen, List<String> unseen, int classVectorDim,
            long seed, boolean realisticNorms) {
        Random rng = new Random(seed);
        Map<String, float[]> vectors = new LinkedHashMap<>();
        for (String l : seen) {
            vectors.put(l, gaussian(rng, classVectorDim, 1f));
        }
        for (String l : unseen) {
            vectors.put(l, gaussian(rng, classVectorDim, 1f));
        }
        TrainHyper hyper = new TrainHyper(1e-4, 3e-4, 0.9, 0.999, 32, 0, 10, 0.1, 2f, 0.03f, 1f, false, false, seed);
        ModelConfig cfg = new ModelConfig(ModelConfig.FORMAT, arch, pre, classVectorDim, "random-" + classVectorDim, "weighted-euclidean",
                List.copyOf(seen), List.copyOf(unseen), vectors, hyper, ModelConfig.PARAMS_FILE, 0, "random-init", 0.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getEngine(manager.getEngine().getEngineName()).setRandomSeed((int) seed);
            CrossModalNet net = new CrossModalNet(arch);
            net.initialize(manager, pre.channels(), pre.crop(), classVectorDim);
            if (realisticNorms) {
                for (Pair<String, Parameter> p : net.getParameters()) {
                    NDArray a = p.getValue().getArray();
                    int n = (int) a.size();
                    switch (p.getValue().getType()) {
                        case RUNNING_MEAN, BETA -> a.set(gaussian(rng, n, 0.1f));
                        case RUNNING_VAR, GAMMA -> a.set(uniform(rng, n, 0.5f, 1.5f));
                        default -> { }
                    }
                }
            }
            Files.createDirectories(dir);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(ModelConfig.PARAMS_FILE)))) {
                net.saveParameters(new DataOutputStream(out));
            }
            cfg.write(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write random model to " + dir, e);
        }
    }

    private static float[] gaussian(Random rng, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian() * scale;
        }
        return a;
    }

    private static float[] uniform(Random rng, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + rng.nextFloat() * (hi - lo);
        }
        return a;
    }
}
