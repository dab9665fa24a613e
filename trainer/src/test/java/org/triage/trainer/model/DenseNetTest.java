package org.triage.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class DenseNetTest {
    /** sum(p.numel() for p in torchvision.models.densenet121().features.parameters()). */
    static final long TORCHVISION_DENSENET121_FEATURES = 6_953_856L;

    @Test
    void densenet121FeatureExtractorHasTorchvisionParameterCount() {
        ArchSpec spec = ArchSpec.densenet121();
        assertEquals(1024, spec.featureDim());
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock backbone = DenseNetBuilder.backbone(spec);
            backbone.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            assertEquals(TORCHVISION_DENSENET121_FEATURES, ModelInventory.trainableCount(backbone));
            Shape out = backbone.getOutputShapes(new Shape[] {new Shape(2, 3, 224, 224)})[0];
            assertEquals(new Shape(2, 1024), out);
        }
    }

    @Test
    void tinyNetworkRunsBothBranchesWithExpectedShapes() {
        ArchSpec spec = ArchSpec.densenetTiny();
        try (NDManager m = NDManager.newBaseManager()) {
            CrossModalNet net = new CrossModalNet(spec);
            net.initialize(m, 3, 16, 5);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray img = m.randomNormal(new Shape(2, 3, 16, 16));
            NDArray cls = m.randomNormal(new Shape(4, 5));
            NDList out = net.forward(ps, new NDList(img, cls), false);
            assertArrayEquals(new long[] {2, spec.embeddingDim()}, out.get(0).getShape().getShape());
            assertArrayEquals(new long[] {4, spec.embeddingDim()}, out.get(1).getShape().getShape());
            String tree = ModelInventory.describe(net);
            assertTrue(tree.contains("DenseLayerBlock"), tree);
            assertTrue(tree.contains("leaky_relu:0.01"), tree);
            assertTrue(ModelInventory.parameters(net).stream().anyMatch(p -> p.path().equals("02semantic_01Linear_weight")));
        }
    }

    /** The benchmark default: no stem pool and a fourth block, so a 60 px crop still ends on a 3x3 map (not 0x0) with 124 features. */
    @Test
    void smallHr4KeepsHalfResolutionAndEndsOnA3x3Map() {
        ArchSpec spec = ArchSpec.byName("densenet-small-hr4");
        assertEquals(124, spec.featureDim());
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock backbone = DenseNetBuilder.backbone(spec);
            backbone.initialize(m, DataType.FLOAT32, new Shape(1, 3, 60, 60));
            assertEquals(new Shape(2, 124), backbone.getOutputShapes(new Shape[] {new Shape(2, 3, 60, 60)})[0]);
            // stem conv/2 -> 30, block 1 at 30x30, then transitions to 15, 7, 3: the last BN sees 3x3
            Shape beforePool = new Shape(2, 3, 60, 60);
            for (int i = 0; i < backbone.getChildren().size() - 2; i++) {
                beforePool = backbone.getChildren().get(i).getValue().getOutputShapes(new Shape[] {beforePool})[0];
            }
            assertEquals(new Shape(2, 124, 3, 3), beforePool);
        }
    }
}
