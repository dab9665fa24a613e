package org.triage.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Enumerates a block tree for exporters and tests: every parameter with its full path, and
 * an indented description of the tree.
 *
 * <p>Paths are DJL's: child names joined by '_' then the parameter name, e.g.
 * {@code visual_01SequentialBlock_02BatchNorm_gamma}. SequentialBlock names its children
 * {@code NN<ClassName>} (1-based, two digits) in insertion order.
 */
public final class ModelInventory {
    private ModelInventory() {}

    /** One parameter: DJL path, type, shape, and whether it is trained (running statistics are not). */
    public record ParamEntry(String path, Parameter.Type type, Shape shape, boolean trainable, Parameter parameter) {}

    public static List<ParamEntry> parameters(Block block) {
        List<ParamEntry> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            boolean trainable = param.getType() != Parameter.Type.RUNNING_MEAN && param.getType() != Parameter.Type.RUNNING_VAR;
            Shape shape = param.isInitialized() ? param.getArray().getShape() : param.getShape();
            out.add(new ParamEntry(p.getKey(), param.getType(), shape, trainable, param));
        }
        return out;
    }

    /** Number of trained scalars (BN running statistics excluded, as torch's parameters() does). */
    public static long trainableCount(Block block) {
        long n = 0;
        for (ParamEntry e : parameters(block)) {
            if (e.trainable()) {
                n += e.shape().size();
            }
        }
        return n;
    }

    /** Indented tree: child names, block classes (lambda blocks with their names). */
    public static String describe(Block block) {
        StringBuilder sb = new StringBuilder();
        describe("model", block, 0, sb);
        return sb.toString();
    }

    private static void describe(String name, Block block, int depth, StringBuilder sb) {
        sb.append("  ".repeat(depth)).append(name).append(": ").append(block.getClass().getSimpleName());
        if (block instanceof LambdaBlock lb) {
            sb.append('(').append(lb.getName()).append(')');
        }
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            Parameter param = p.getValue();
            sb.append(' ').append(p.getKey()).append(param.isInitialized() ? param.getArray().getShape() : "");
        }
        sb.append('\n');
        for (Pair<String, Block> c : block.getChildren()) {
            describe(c.getKey(), c.getValue(), depth + 1, sb);
        }
    }
}
