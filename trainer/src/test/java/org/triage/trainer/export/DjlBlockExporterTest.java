package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The block exporter on a small network that uses every supported block kind, with non-trivial
 * BatchNorm statistics: ONNX Runtime must reproduce the PyTorch engine at batch 1 and 32, with
 * BatchNorm emitted and folded, and the graph must pass the python onnx full checker.
 */
class DjlBlockExporterTest {
    private static NDManager manager;

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Block conv(int filters, int k, int s, int p, boolean bias) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(k, k)).optStride(new Shape(s, s))
                .optPadding(new Shape(p, p)).optBias(bias).build();
    }

    /** Every block kind the exporter supports, in the arrangement DenseNet uses them. */
    static SequentialBlock testNet() {
        SequentialBlock branch = new SequentialBlock()
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(4, 1, 1, 0, false));
        return new SequentialBlock()
                .add(conv(8, 3, 2, 1, true))
                .add(BatchNorm.builder().optEpsilon(1e-3f).build())
                .add(LambdaBlock.singleton(Activation::relu, "my-relu"))
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)))
                .add(new ParallelBlock(list -> new NDList(NDArrays.concat(new NDList(
                        list.get(0).singletonOrThrow(), list.get(1).singletonOrThrow()), 1)),
                        List.of(Blocks.identityBlock(), branch)))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(conv(6, 3, 1, 1, false))
                .add(BatchNorm.builder().optCenter(false).build())
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(16).build())
                .add(Activation.leakyReluBlock(0.2f))
                .add(Linear.builder().setUnits(10).build());
    }

    static void randomise(Block net, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray a = p.getValue().getArray();
            NDArray v = switch (p.getValue().getType()) {
                case RUNNING_VAR -> manager.randomUniform(0.5f, 1.5f, a.getShape());
                case GAMMA -> manager.randomUniform(0.5f, 1.5f, a.getShape());
                default -> manager.randomNormal(0f, 0.3f, a.getShape(), DataType.FLOAT32);
            };
            a.set(v.toFloatArray());
        }
    }

    static float[] djl(Block net, float[] input, Shape shape) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(input, shape);
            return net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
        }
    }

    static float[] random(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(DjlBlockExporter.BatchNormMode.class)
    void smallNetworkMatchesPyTorchAtBatch1And32(DjlBlockExporter.BatchNormMode mode) throws Exception {
        SequentialBlock net = testNet();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 33, 31));
        randomise(net, 7);
        BlockGraphExporter.Exported ex = BlockGraphExporter.export("test", net, manager, "image", new Shape(1, 3, 33, 31),
                "out", mode, Map.of(), Map.of("purpose", "test"));
        assertEquals(List.of(-1L, 10L), java.util.Arrays.stream(ex.outputDims()).boxed().toList());
        if (mode == DjlBlockExporter.BatchNormMode.FOLD) {
            assertEquals(2, ex.foldedBatchNorms(), "the two BatchNorms that directly follow a Conv are folded");
        }
        Path file = tmp.resolve("test-" + mode + ".onnx");
        Files.write(file, ex.model().toByteArray());
        OnnxTestSupport.checkWithPythonOnnx(file);
        for (int batch : new int[] {1, 32}) {
            float[] x = random(batch, batch * 3 * 33 * 31);
            float[] expected = djl(net, x, new Shape(batch, 3, 33, 31));
            float[] got = OnnxTestSupport.runOrt(ex.model().toByteArray(), x, batch, 3, 33, 31);
            float diff = OnnxTestSupport.maxAbsDiff(expected, got);
            assertTrue(diff <= 1e-4f, "batch " + batch + " " + mode + ": max |onnx - pytorch| = " + diff);
        }
    }

    @Test
    void unknownLambdaIsRefusedWithItsPath() {
        SequentialBlock net = new SequentialBlock()
                .add(Linear.builder().setUnits(4).build())
                .add(LambdaBlock.singleton(a -> a.exp(), "exp"));
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        ExportException e = assertThrows(ExportException.class, () -> BlockGraphExporter.export("g", net, manager, "x",
                new Shape(1, 3), "y", DjlBlockExporter.BatchNormMode.EMIT, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("g/02LambdaBlock") && e.getMessage().contains("'exp'"), e.getMessage());
    }

    @Test
    void linearOnUnflattenedInputIsRefused() {
        SequentialBlock net = new SequentialBlock().add(Linear.builder().setUnits(4).build());
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 3));
        ExportException e = assertThrows(ExportException.class, () -> BlockGraphExporter.export("g", net, manager, "x",
                new Shape(1, 2, 3), "y", DjlBlockExporter.BatchNormMode.EMIT, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("flatten"), e.getMessage());
    }
}
