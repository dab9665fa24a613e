package org.triage.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * CM-DML-GZSL: the root block. Children (in this order, names are part of the parameter file):
 * <ul>
 *   <li>{@code visual}: SequentialBlock [backbone (DenseNet, image NCHW -> N x featureDim),
 *       mapping MLP (-> N x embeddingDim)]</li>
 *   <li>{@code semantic}: mapping MLP (class vectors C x D -> C x embeddingDim)</li>
 * </ul>
 * {@link #forward} takes NDList(images, classVectors) and returns NDList(imageEmb, classEmb);
 * {@link #visual()} and {@link #semantic()} can be run on their own (inference, export).
 */
public final class CrossModalNet extends AbstractBlock {
    public static final String VISUAL = "visual";
    public static final String SEMANTIC = "semantic";

    private final ArchSpec spec;
    private final SequentialBlock visual;
    private final SequentialBlock backbone;
    private final SequentialBlock semantic;

    public CrossModalNet(ArchSpec spec) {
        this(spec, 0);
    }

    /**
     * @param semanticInitStd when > 0, the semantic MLP's first weight starts as N(0, std^2) instead of He init
     *                        (see {@link TrainHyper#semanticInitStd()})
     */
    public CrossModalNet(ArchSpec spec, double semanticInitStd) {
        super((byte) 1);
        this.spec = spec;
        this.backbone = DenseNetBuilder.backbone(spec);
        SequentialBlock v = new SequentialBlock();
        v.add(backbone);
        v.add(DenseNetBuilder.mappingMlp(spec));
        this.visual = addChildBlock(VISUAL, v);
        this.semantic = addChildBlock(SEMANTIC, DenseNetBuilder.mappingMlp(spec, spec.semanticSlope()));
        // He-normal for every weight (torchvision inits DenseNet convs with kaiming_normal_);
        // BN gamma 1 / beta 0 and zero biases are DJL's defaults for those types.
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2f), Parameter.Type.WEIGHT);
        setInitializer(new ConstantInitializer(0f), Parameter.Type.BIAS);
        if (semanticInitStd > 0) {
            semantic.getChildren().get(0).getValue().setInitializer(new NormalInitializer((float) semanticInitStd), Parameter.Type.WEIGHT);
        }
    }

    public ArchSpec spec() {
        return spec;
    }

    public SequentialBlock visual() {
        return visual;
    }

    /** The DenseNet feature extractor (first child of visual). */
    public SequentialBlock backbone() {
        return backbone;
    }

    public SequentialBlock semantic() {
        return semantic;
    }

    /** Initialises all parameters for images of channels x size x size and class vectors of dimension classDim. */
    public void initialize(NDManager manager, int channels, int size, int classDim) {
        initialize(manager, DataType.FLOAT32, new Shape(1, channels, size, size), new Shape(1, classDim));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray img = visual.forward(ps, new NDList(inputs.get(0)), training, params).singletonOrThrow();
        NDArray cls = semantic.forward(ps, new NDList(inputs.get(1)), training, params).singletonOrThrow();
        return new NDList(img, cls);
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        visual.initialize(manager, dataType, inputShapes[0]);
        semantic.initialize(manager, dataType, inputShapes[1]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {
            visual.getOutputShapes(new Shape[] {inputShapes[0]})[0],
            semantic.getOutputShapes(new Shape[] {inputShapes[1]})[0]
        };
    }
}
