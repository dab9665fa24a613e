package org.triage.trainer.export;

import static org.triage.trainer.export.OnnxGraphBuilder.floatAttr;
import static org.triage.trainer.export.OnnxGraphBuilder.intAttr;
import static org.triage.trainer.export.OnnxGraphBuilder.ints;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.util.Pair;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a tree of DJL blocks (inference mode) as ONNX nodes into an {@link OnnxGraphBuilder}.
 *
 * <p>Structural blocks are read from their configuration (Conv2d, BatchNorm, Linear,
 * SequentialBlock, ParallelBlock's children, Dropout). Blocks whose behaviour is an opaque Java
 * function (a {@link LambdaBlock}, a {@link ParallelBlock}'s join) are identified by
 * <em>probing</em>: the function is run on a random tensor of the shape it will see, and the
 * result is compared with each ONNX-expressible candidate (identity, Relu, LeakyRelu with its
 * slope, Flatten, global average pooling, Max/AveragePool over a grid of kernel/stride/pad/ceil;
 * channel Concat or Add for joins). A block no candidate reproduces is refused with its path, so
 * an unsupported model fails at export rather than exporting something different. The parity
 * tests then compare whole-graph outputs with the PyTorch engine.
 *
 * <p>Other block classes can be handled by registering a {@link Converter} (used for the
 * trainer's own composite blocks).
 */
public final class DjlBlockExporter {

    /** How BatchNorm is written. FOLD merges a BatchNorm that directly follows a Conv2d into it. */
    public enum BatchNormMode { EMIT, FOLD }

    /** Exports one block; returns the output tensor name. */
    @FunctionalInterface
    public interface Converter {
        String convert(DjlBlockExporter exporter, Block block, String input, String path);
    }

    private static final float PROBE_TOLERANCE = 1e-5f;

    private final OnnxGraphBuilder graph;
    private final NDManager manager;
    private final BatchNormMode bnMode;
    private final Map<Class<?>, Converter> converters = new HashMap<>();
    private final Map<String, Shape> shapes = new HashMap<>();
    private int foldedBatchNorms;

    public DjlBlockExporter(OnnxGraphBuilder graph, NDManager manager, BatchNormMode bnMode) {
        this.graph = graph;
        this.manager = manager;
        this.bnMode = bnMode;
    }

    public DjlBlockExporter register(Class<? extends Block> type, Converter converter) {
        converters.put(type, converter);
        return this;
    }

    public OnnxGraphBuilder graph() {
        return graph;
    }

    /** Declares the shape (with batch 1) of a tensor the exporter starts from. */
    public void shape(String tensor, Shape shape) {
        shapes.put(tensor, shape);
    }

    public Shape shapeOf(String tensor) {
        Shape s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalStateException("no known shape for tensor " + tensor);
        }
        return s;
    }

    public int foldedBatchNorms() {
        return foldedBatchNorms;
    }

    /** Exports {@code block} applied to {@code input}; returns the output tensor name. */
    public String export(Block block, String input, String path) {
        Converter custom = converters.get(block.getClass());
        if (custom != null) {
            return custom.convert(this, block, input, path);
        }
        if (block instanceof SequentialBlock seq) {
            return sequential(seq, input, path);
        }
        if (block instanceof ParallelBlock par) {
            return parallel(par, input, path);
        }
        if (block instanceof Conv2d conv) {
            return conv(conv, null, input, path);
        }
        if (block instanceof BatchNorm bn) {
            return batchNorm(bn, input, path);
        }
        if (block instanceof Linear linear) {
            return linear(linear, input, path);
        }
        if (block instanceof Dropout) {
            return input; // identity at inference
        }
        if (block instanceof LambdaBlock lambda) {
            return lambda(lambda, input, path);
        }
        throw new ExportException(path + ": block " + block.getClass().getName()
                + " has no ONNX mapping (supported: SequentialBlock, ParallelBlock, Conv2d, BatchNorm, Linear, Dropout, LambdaBlock"
                + " of identity/ReLU/LeakyReLU/flatten/pooling, and registered converters)");
    }

    private String sequential(SequentialBlock seq, String input, String path) {
        if (seq.isReturnIntermediate()) {
            throw new ExportException(path + ": SequentialBlock returning intermediate outputs is not exportable");
        }
        List<Pair<String, Block>> children = new ArrayList<>();
        seq.getChildren().forEach(children::add);
        String x = input;
        for (int i = 0; i < children.size(); i++) {
            Pair<String, Block> c = children.get(i);
            String childPath = path + "/" + c.getKey();
            Block next = i + 1 < children.size() ? children.get(i + 1).getValue() : null;
            if (bnMode == BatchNormMode.FOLD && c.getValue() instanceof Conv2d conv && next instanceof BatchNorm bn
                    && !converters.containsKey(Conv2d.class) && !converters.containsKey(BatchNorm.class)) {
                x = conv(conv, bn, x, childPath);
                i++;
                foldedBatchNorms++;
            } else {
                x = export(c.getValue(), x, childPath);
            }
        }
        return x;
    }

    private String parallel(ParallelBlock par, String input, String path) {
        List<String> outs = new ArrayList<>();
        for (Pair<String, Block> c : par.getChildren()) {
            outs.add(export(c.getValue(), input, path + "/" + c.getKey()));
        }
        @SuppressWarnings("unchecked")
        Function<List<NDList>, NDList> join = (Function<List<NDList>, NDList>) field(par, ParallelBlock.class, "function");
        List<Shape> branchShapes = outs.stream().map(this::shapeOf).toList();
        try (NDManager m = manager.newSubManager()) {
            List<NDList> probe = new ArrayList<>();
            for (Shape s : branchShapes) {
                probe.add(new NDList(m.randomNormal(s)));
            }
            NDList result = join.apply(probe);
            if (result.size() != 1) {
                throw new ExportException(path + ": ParallelBlock join returns " + result.size() + " arrays; only single-array joins are exportable");
            }
            NDArray got = result.singletonOrThrow();
            List<NDArray> parts = probe.stream().map(NDList::singletonOrThrow).toList();
            for (int axis = 0; axis < got.getShape().dimension(); axis++) {
                if (sameShapeExcept(branchShapes, axis) && matches(got, ai.djl.ndarray.NDArrays.concat(new NDList(parts), axis))) {
                    if (axis == 0) {
                        break; // concatenating along the batch is never a model's intent
                    }
                    String out = graph.node("Concat", path + "/concat", outs, intAttr("axis", axis));
                    shapes.put(out, got.getShape());
                    return out;
                }
            }
            if (branchShapes.stream().allMatch(s -> s.equals(branchShapes.get(0)))) {
                NDArray sum = parts.get(0);
                for (int i = 1; i < parts.size(); i++) {
                    sum = sum.add(parts.get(i));
                }
                if (matches(got, sum)) {
                    String out = graph.node("Sum", path + "/sum", outs);
                    shapes.put(out, got.getShape());
                    return out;
                }
            }
        }
        throw new ExportException(path + ": ParallelBlock join is neither a concatenation nor a sum of its branches");
    }

    private static boolean sameShapeExcept(List<Shape> shapes, int axis) {
        Shape first = shapes.get(0);
        for (Shape s : shapes) {
            if (s.dimension() != first.dimension()) {
                return false;
            }
            for (int i = 0; i < s.dimension(); i++) {
                if (i != axis && s.get(i) != first.get(i)) {
                    return false;
                }
            }
        }
        return true;
    }

    private String conv(Conv2d conv, BatchNorm foldedBn, String input, String path) {
        NDArray w = param(conv, "weight", path);
        float[] weight = w.toFloatArray();
        long[] wShape = w.getShape().getShape();
        int outC = (int) wShape[0];
        float[] bias = conv.isIncludeBias() ? param(conv, "bias", path).toFloatArray() : null;
        if (foldedBn != null) {
            BnParams bn = bnParams(foldedBn, path + "+bn");
            int per = weight.length / outC;
            float[] newBias = new float[outC];
            for (int o = 0; o < outC; o++) {
                double k = bn.gamma[o] / Math.sqrt((double) bn.var[o] + bn.epsilon);
                for (int j = 0; j < per; j++) {
                    weight[o * per + j] = (float) (weight[o * per + j] * k);
                }
                double b = bias == null ? 0 : bias[o];
                newBias[o] = (float) ((b - bn.mean[o]) * k + bn.beta[o]);
            }
            bias = newBias;
        }
        List<String> inputs = new ArrayList<>(List.of(input, graph.initializer(path + "/weight", weight, wShape)));
        if (bias != null) {
            inputs.add(graph.initializer(path + "/bias", bias, outC));
        }
        Shape k = conv.getKernelShape();
        Shape s = conv.getStride();
        Shape p = conv.getPadding();
        Shape d = conv.getDilation();
        String out = graph.node("Conv", path, inputs,
                ints("kernel_shape", k.get(0), k.get(1)),
                ints("strides", s.get(0), s.get(1)),
                ints("pads", p.get(0), p.get(1), p.get(0), p.get(1)),
                ints("dilations", d.get(0), d.get(1)),
                intAttr("group", conv.getGroups()));
        shapes.put(out, conv.getOutputShapes(new Shape[] {shapeOf(input)})[0]);
        return out;
    }

    private record BnParams(float[] gamma, float[] beta, float[] mean, float[] var, float epsilon) {
    }

    private BnParams bnParams(BatchNorm bn, String path) {
        int axis = (Integer) field(bn, BatchNorm.class, "axis");
        if (axis != 1) {
            throw new ExportException(path + ": BatchNorm over axis " + axis + " is not exportable (only the channel axis 1)");
        }
        float eps = (Float) field(bn, BatchNorm.class, "epsilon");
        float[] mean = param(bn, "runningMean", path).toFloatArray();
        float[] var = param(bn, "runningVar", path).toFloatArray();
        // DJL's center/scale flags only freeze beta/gamma (they stay in the forward pass), so the
        // parameters are used whenever they exist.
        float[] gamma = optionalParam(bn, "gamma", mean.length, 1f);
        float[] beta = optionalParam(bn, "beta", mean.length, 0f);
        return new BnParams(gamma, beta, mean, var, eps);
    }

    private String batchNorm(BatchNorm bn, String input, String path) {
        BnParams p = bnParams(bn, path);
        int c = p.mean.length;
        String out = graph.node("BatchNormalization", path, List.of(input,
                        graph.initializer(path + "/gamma", p.gamma, c),
                        graph.initializer(path + "/beta", p.beta, c),
                        graph.initializer(path + "/running_mean", p.mean, c),
                        graph.initializer(path + "/running_var", p.var, c)),
                floatAttr("epsilon", p.epsilon));
        shapes.put(out, shapeOf(input));
        return out;
    }

    private String linear(Linear linear, String input, String path) {
        Shape in = shapeOf(input);
        if (in.dimension() != 2) {
            throw new ExportException(path + ": Linear on a rank-" + in.dimension() + " input " + in
                    + " is not exportable; flatten to [N,features] first");
        }
        NDArray w = param(linear, "weight", path);
        long units = w.getShape().get(0);
        List<String> inputs = new ArrayList<>(List.of(input, graph.initializer(path + "/weight", w.toFloatArray(), w.getShape().getShape())));
        Parameter b = linear.getDirectParameters().get("bias");
        if (b != null && b.isInitialized()) {
            inputs.add(graph.initializer(path + "/bias", b.getArray().toFloatArray(), units));
        }
        // DJL stores W as [units, in] and computes x W^T + b: Gemm with transB.
        String out = graph.node("Gemm", path, inputs, intAttr("transB", 1));
        shapes.put(out, new Shape(in.get(0), units));
        return out;
    }

    private String lambda(LambdaBlock block, String input, String path) {
        @SuppressWarnings("unchecked")
        Function<NDList, NDList> fn = (Function<NDList, NDList>) field(block, LambdaBlock.class, "lambda");
        Shape in = shapeOf(input);
        try (NDManager m = manager.newSubManager()) {
            // Batch 2 so that a function folding the batch away cannot pass for a per-sample one.
            Shape probeShape = withBatch(in, 2);
            NDArray x = m.randomNormal(probeShape);
            NDList res = fn.apply(new NDList(x));
            if (res.size() != 1) {
                throw new ExportException(path + ": LambdaBlock '" + block.getName() + "' returns " + res.size() + " arrays");
            }
            NDArray y = res.singletonOrThrow();
            String out = LambdaProbe.match(this, x, y, input, path, block.getName());
            if (out == null) {
                throw new ExportException(path + ": LambdaBlock '" + block.getName() + "' on input " + in
                        + " matches no ONNX-expressible operation (identity, ReLU, LeakyReLU, flatten, global average pooling,"
                        + " max/average pooling); register a converter for it");
            }
            shapes.put(out, withBatch(y.getShape(), in.get(0)));
            return out;
        }
    }

    static Shape withBatch(Shape s, long batch) {
        long[] dims = s.getShape().clone();
        dims[0] = batch;
        return new Shape(dims);
    }

    static boolean matches(NDArray got, NDArray expected) {
        if (!got.getShape().equals(expected.getShape())) {
            return false;
        }
        float[] a = got.toFloatArray();
        float[] b = expected.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > PROBE_TOLERANCE * (1 + Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }

    private static NDArray param(Block block, String name, String path) {
        Parameter p = block.getDirectParameters().get(name);
        if (p == null || !p.isInitialized()) {
            throw new ExportException(path + ": parameter '" + name + "' is missing or not initialised");
        }
        return p.getArray();
    }

    private static float[] optionalParam(Block block, String name, int n, float absent) {
        Parameter p = block.getDirectParameters().get(name);
        return p != null && p.isInitialized() ? p.getArray().toFloatArray() : filled(n, absent);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Reads a private field of a DJL class: DJL exposes no getters for these, and exporting needs them. */
    static Object field(Object target, Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExportException("cannot read " + owner.getSimpleName() + "." + name + " (DJL version changed?): " + e, e);
        }
    }
}
