package org.triage.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One DenseNet layer: {@code y = concat([x, branch(x)], axis=1)} on NCHW tensors.
 *
 * <p>The only custom block of the model. It has exactly one child, named {@code "branch"}
 * (a SequentialBlock BN-ReLU-Conv1x1-BN-ReLU-Conv3x3, see {@link DenseNetBuilder}), and no
 * parameters of its own. An exporter maps it to the branch's nodes followed by
 * {@code Concat(axis=1)} of the layer input and the branch output, input first.
 */
public final class DenseLayerBlock extends AbstractBlock {
    public static final String BRANCH = "branch";
    private final Block branch;

    public DenseLayerBlock(Block branch) {
        super((byte) 1);
        this.branch = addChildBlock(BRANCH, branch);
    }

    public Block branch() {
        return branch;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = branch.forward(ps, inputs, training, params).singletonOrThrow();
        return new NDList(x.concat(y, 1));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        branch.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape out = branch.getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(in.get(0), in.get(1) + out.get(1), in.get(2), in.get(3))};
    }
}
