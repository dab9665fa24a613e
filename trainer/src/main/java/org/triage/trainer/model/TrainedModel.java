package org.triage.trainer.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.model.preprocess.PreprocessSpec;

/**
 * A model directory written by {@code triage train}, loaded for inference: the DJL network with
 * the selected checkpoint's parameters, and its config. Not thread-safe; close it when done.
 *
 * <p>For exporters: {@link #net()} is the root block ({@link CrossModalNet}: children
 * {@code visual} = [backbone, MLP] and {@code semantic} = MLP), {@link #parameterStore()} the
 * store to run it with; {@link ModelInventory#parameters} lists every parameter by path.
 */
public final class TrainedModel implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final NDManager manager;
    private final CrossModalNet net;
    private final ParameterStore store;

    private TrainedModel(Path dir, ModelConfig config, NDManager manager, CrossModalNet net) {
        this.dir = dir;
        this.config = config;
        this.manager = manager;
        this.net = net;
        this.store = new ParameterStore(manager, false);
    }

    public static TrainedModel load(Path modelDir) {
        ModelConfig config = ModelConfig.read(modelDir);
        return load(modelDir, config, modelDir.resolve(config.paramsFile()));
    }

    /** Loads a specific parameter file (a checkpoint) under the directory's config. */
    public static TrainedModel load(Path modelDir, ModelConfig config, Path paramsFile) {
        if (!Files.isRegularFile(paramsFile)) {
            throw new IllegalArgumentException("model parameters missing: " + paramsFile);
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            CrossModalNet net = new CrossModalNet(config.arch());
            PreprocessSpec p = config.preprocess();
            net.initialize(manager, p.channels(), p.crop(), config.classVectorDim());
            try (InputStream in = new BufferedInputStream(Files.newInputStream(paramsFile))) {
                net.loadParameters(manager, new DataInputStream(in));
            }
            return new TrainedModel(modelDir, config, manager, net);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("cannot load model parameters " + paramsFile + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public CrossModalNet net() {
        return net;
    }

    public ParameterStore parameterStore() {
        return store;
    }

    public NDManager manager() {
        return manager;
    }

    /** The preprocessing the model was trained with (the stream's code). */
    public ImagePreprocessor preprocessor() {
        return new ImagePreprocessor(config.preprocess());
    }

    /** Embeds preprocessed images (each channels*crop*crop, CHW) into the shared space. */
    public float[][] embedImages(float[][] preprocessedBatch) {
        PreprocessSpec p = config.preprocess();
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(flatten(preprocessedBatch, p.tensorSize()), new Shape(preprocessedBatch.length, p.channels(), p.crop(), p.crop()));
            NDArray y = net.visual().forward(store, new NDList(x), false).singletonOrThrow();
            return rows(y);
        }
    }

    /** Projects class vectors (each classVectorDim) into the shared space. */
    public float[][] projectClassVectors(float[][] vectors) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(flatten(vectors, config.classVectorDim()), new Shape(vectors.length, config.classVectorDim()));
            NDArray y = net.semantic().forward(store, new NDList(x), false).singletonOrThrow();
            return rows(y);
        }
    }

    /** Class vectors of the given labels from config.json, in order. */
    public float[][] classVectors(List<String> labels) {
        float[][] out = new float[labels.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = config.classVectors().get(labels.get(i));
            if (v == null) {
                throw new IllegalArgumentException("the model has no class vector for label '" + labels.get(i) + "'");
            }
            out[i] = v.clone();
        }
        return out;
    }

    static float[] flatten(float[][] rows, int width) {
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    static float[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int k = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * k, out[i], 0, k);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
