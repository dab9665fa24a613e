package org.triage.trainer.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;
import org.triage.trainer.export.onnx.ModelProto;
import org.triage.trainer.export.onnx.StringStringEntryProto;

/**
 * Exports one DJL block (single input, single output) as a whole ONNX model whose first dim is
 * the dynamic batch {@code N}: {@code input [N, ...inputShape] -> output [N, ...]}.
 */
public final class BlockGraphExporter {
    private BlockGraphExporter() {
    }

    /** Result: the model and how many BatchNorms were folded into convolutions. */
    public record Exported(ModelProto model, long[] outputDims, int foldedBatchNorms, int nodes) {
    }

    /**
     * @param inputShape the input's shape with batch 1 (e.g. [1,3,224,224])
     * @param converters extra block converters (class -> converter)
     */
    public static Exported export(String graphName, Block block, NDManager manager, String inputName, Shape inputShape,
            String outputName, DjlBlockExporter.BatchNormMode bnMode,
            Map<Class<? extends Block>, DjlBlockExporter.Converter> converters, Map<String, String> metadata) {
        OnnxGraphBuilder g = new OnnxGraphBuilder(graphName);
        long[] in = inputShape.getShape().clone();
        in[0] = -1;
        g.input(inputName, in);
        DjlBlockExporter ex = new DjlBlockExporter(g, manager, bnMode);
        converters.forEach(ex::register);
        ex.shape(inputName, inputShape);
        String out = ex.export(block, inputName, graphName);
        if (out.equals(inputName)) {
            throw new ExportException(graphName + ": the block computes the identity; nothing to export");
        }
        g.renameLastOutput(out, outputName);
        long[] outDims = ex.shapeOf(out).getShape().clone();
        outDims[0] = -1;
        g.output(outputName, outDims);
        g.doc(graphName + ": " + inputName + " " + dims(in) + " -> " + outputName + " " + dims(outDims)
                + "; BatchNorm " + (bnMode == DjlBlockExporter.BatchNormMode.FOLD ? "folded into Conv where it follows one ("
                + ex.foldedBatchNorms() + " folded)" : "as BatchNormalization nodes"));
        List<StringStringEntryProto> meta = metadata.entrySet().stream()
                .map(e -> OnnxGraphBuilder.meta(e.getKey(), e.getValue())).toList();
        ModelProto model = g.build(version(), meta);
        return new Exported(model, outDims, ex.foldedBatchNorms(), g.nodeCount());
    }

    static String dims(long[] d) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < d.length; i++) {
            b.append(i > 0 ? "," : "").append(d[i] < 0 ? OnnxGraphBuilder.BATCH : Long.toString(d[i]));
        }
        return b.append(']').toString();
    }

    private static String version() {
        String v = BlockGraphExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
