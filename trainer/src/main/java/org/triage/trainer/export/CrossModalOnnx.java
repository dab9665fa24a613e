package org.triage.trainer.export;

import static org.triage.trainer.export.OnnxGraphBuilder.intAttr;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.triage.trainer.model.CrossModalNet;
import org.triage.trainer.model.DenseLayerBlock;

/**
 * The two graphs of a CM-DML-GZSL model: {@code visual.onnx} (image [N,C,S,S] -> embedding
 * [N,E]: DenseNet backbone + visual MLP) and {@code semantic.onnx} (class vectors [M,D] ->
 * [M,E]: semantic MLP). Tensor names are part of the contract with the stream.
 */
public final class CrossModalOnnx {
    public static final String IMAGE_INPUT = "image";
    public static final String IMAGE_OUTPUT = "embedding";
    public static final String CLASS_INPUT = "class_vectors";
    public static final String CLASS_OUTPUT = "class_embedding";

    private CrossModalOnnx() {
    }

    /** The trainer's only custom block: the branch's nodes, then Concat([input, branch], axis 1). */
    static final Map<Class<? extends Block>, DjlBlockExporter.Converter> CONVERTERS = Map.of(DenseLayerBlock.class,
            (ex, block, input, path) -> {
                DenseLayerBlock layer = (DenseLayerBlock) block;
                String y = ex.export(layer.branch(), input, path + "/" + DenseLayerBlock.BRANCH);
                String out = ex.graph().node("Concat", path + "/concat", List.of(input, y), intAttr("axis", 1));
                ex.shape(out, layer.getOutputShapes(new Shape[] {ex.shapeOf(input)})[0]);
                return out;
            });

    public static BlockGraphExporter.Exported visual(CrossModalNet net, NDManager manager, int channels, int size,
            DjlBlockExporter.BatchNormMode mode, Map<String, String> metadata) {
        return BlockGraphExporter.export("visual", net.visual(), manager, IMAGE_INPUT, new Shape(1, channels, size, size),
                IMAGE_OUTPUT, mode, CONVERTERS, metadata);
    }

    public static BlockGraphExporter.Exported semantic(CrossModalNet net, NDManager manager, int classVectorDim,
            Map<String, String> metadata) {
        return BlockGraphExporter.export("semantic", net.semantic(), manager, CLASS_INPUT, new Shape(1, classVectorDim),
                CLASS_OUTPUT, DjlBlockExporter.BatchNormMode.EMIT, CONVERTERS, metadata);
    }
}
