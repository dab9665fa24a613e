package org.triage.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * Builds the DenseNet feature extractor and the mapping MLPs from standard DJL blocks.
 * See ARCHITECTURE-NOTES.md in this package for the exact block tree an exporter must mirror.
 *
 * <p>Activation and pooling blocks are {@link LambdaBlock}s whose names carry their
 * hyper-parameters ({@code relu}, {@code leaky_relu:0.01}, {@code max_pool:k3s2p1},
 * {@code avg_pool:k2s2p0}, {@code global_avg_pool}, {@code flatten}) so a tree walker needs no
 * side channel to know what they compute.
 */
public final class DenseNetBuilder {
    /** BatchNorm epsilon (torchvision's value). */
    public static final float BN_EPS = 1e-5f;
    /** DJL BatchNorm momentum: running = 0.9*running + 0.1*batch (PyTorch momentum 0.1). */
    public static final float BN_MOMENTUM = 0.9f;

    private DenseNetBuilder() {}

    /** Stem + dense blocks + transitions + final BN-ReLU + global average pool + flatten: output (N, featureDim). */
    public static SequentialBlock backbone(ArchSpec spec) {
        SequentialBlock net = new SequentialBlock();
        net.add(conv(spec.initFeatures(), spec.stemKernel(), 2, spec.stemKernel() / 2));
        net.add(bn());
        net.add(relu());
        if (spec.stemPool()) {
            net.add(LambdaBlock.singleton(a -> Pool.maxPool2d(a, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false), "max_pool:k3s2p1"));
        }
        int channels = spec.initFeatures();
        int[] layers = spec.blockLayers();
        for (int b = 0; b < layers.length; b++) {
            SequentialBlock dense = new SequentialBlock();
            for (int l = 0; l < layers[b]; l++) {
                dense.add(denseLayer(spec.growth(), spec.bnSize()));
                channels += spec.growth();
            }
            net.add(dense);
            if (b < layers.length - 1) {
                channels = (int) Math.floor(channels * spec.compression());
                net.add(transition(channels));
            }
        }
        net.add(bn());
        net.add(relu());
        net.add(LambdaBlock.singleton(Pool::globalAvgPool2d, "global_avg_pool"));
        net.add(LambdaBlock.singleton(a -> a.reshape(a.getShape().get(0), -1), "flatten"));
        return net;
    }

    /** BN-ReLU-Conv1x1(bnSize*k)-BN-ReLU-Conv3x3(k) inside a concat block. */
    static DenseLayerBlock denseLayer(int growth, int bnSize) {
        SequentialBlock branch = new SequentialBlock();
        branch.add(bn());
        branch.add(relu());
        branch.add(conv(bnSize * growth, 1, 1, 0));
        branch.add(bn());
        branch.add(relu());
        branch.add(conv(growth, 3, 1, 1));
        return new DenseLayerBlock(branch);
    }

    /** BN-ReLU-Conv1x1(out)-AvgPool 2x2/2. */
    static SequentialBlock transition(int outChannels) {
        SequentialBlock t = new SequentialBlock();
        t.add(bn());
        t.add(relu());
        t.add(conv(outChannels, 1, 1, 0));
        t.add(LambdaBlock.singleton(a -> Pool.avgPool2d(a, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true), "avg_pool:k2s2p0"));
        return t;
    }

    /** fc(h1) LeakyReLU fc(h2) LeakyReLU ... fc(embeddingDim): the visual and the semantic mapping share this shape. */
    public static SequentialBlock mappingMlp(ArchSpec spec) {
        return mappingMlp(spec, spec.leakySlope());
    }

    /** The mapping MLP with a given LeakyReLU slope (the semantic branch's may differ: ArchSpec.semanticSlope). */
    public static SequentialBlock mappingMlp(ArchSpec spec, float slope) {
        SequentialBlock mlp = new SequentialBlock();
        for (int h : spec.hidden()) {
            mlp.add(Linear.builder().setUnits(h).build());
            mlp.add(LambdaBlock.singleton(a -> Activation.leakyRelu(a, slope), "leaky_relu:" + slope));
        }
        mlp.add(Linear.builder().setUnits(spec.embeddingDim()).build());
        return mlp;
    }

    static Block conv(int filters, int kernel, int stride, int pad) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optBias(false)
                .build();
    }

    static Block bn() {
        return BatchNorm.builder().optEpsilon(BN_EPS).optMomentum(BN_MOMENTUM).build();
    }

    static Block relu() {
        return LambdaBlock.singleton(Activation::relu, "relu");
    }
}
