package org.triage.trainer.export;

import static org.triage.trainer.export.OnnxGraphBuilder.floatAttr;
import static org.triage.trainer.export.OnnxGraphBuilder.intAttr;
import static org.triage.trainer.export.OnnxGraphBuilder.ints;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Identifies what an opaque element-wise/pooling function computed, from one probe: its input
 * {@code x} and output {@code y}, and writes the equivalent ONNX node(s). Candidates are tried
 * from the cheapest; pooling candidates are filtered by output shape before values are compared.
 */
final class LambdaProbe {
    private static final int[] KERNELS = {1, 2, 3, 4, 5, 7};
    private static final int[] STRIDES = {1, 2, 3};
    private static final int[] PADS = {0, 1, 2, 3};

    private LambdaProbe() {
    }

    /** Returns the output tensor name, or null when no candidate reproduces {@code y}. */
    static String match(DjlBlockExporter ex, NDArray x, NDArray y, String input, String path, String name) {
        OnnxGraphBuilder g = ex.graph();
        if (DjlBlockExporter.matches(y, x)) {
            return input;
        }
        if (y.getShape().equals(x.getShape())) {
            if (DjlBlockExporter.matches(y, x.maximum(0f))) {
                return g.node("Relu", path, List.of(input));
            }
            Float alpha = leakySlope(x, y);
            if (alpha != null && DjlBlockExporter.matches(y, ai.djl.nn.Activation.leakyRelu(x, alpha))) {
                return g.node("LeakyRelu", path, List.of(input), floatAttr("alpha", alpha));
            }
            return null;
        }
        long batch = x.getShape().get(0);
        if (y.getShape().equals(new Shape(batch, x.getShape().size() / batch))
                && DjlBlockExporter.matches(y, x.reshape(batch, -1))) {
            return g.node("Flatten", path, List.of(input), intAttr("axis", 1));
        }
        if (x.getShape().dimension() != 4) {
            return null;
        }
        String global = global(g, x, y, input, path);
        if (global != null) {
            return global;
        }
        return pooling(g, x, y, input, path);
    }

    private static Float leakySlope(NDArray x, NDArray y) {
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] < -0.1f) {
                // y/x carries an ulp of rounding that depends on the probe; slopes are set in
                // decimal (0.01, 0.2), so round to 6 significant digits: exact and reproducible.
                return Float.parseFloat(String.format(java.util.Locale.ROOT, "%.6g", ys[i] / xs[i]));
            }
        }
        return null;
    }

    private static String global(OnnxGraphBuilder g, NDArray x, NDArray y, String input, String path) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        boolean flat = y.getShape().equals(new Shape(n, c));
        boolean kept = y.getShape().equals(new Shape(n, c, 1, 1));
        if (!flat && !kept) {
            return null;
        }
        NDArray yk = y.reshape(n, c, 1, 1);
        String op = null;
        if (DjlBlockExporter.matches(yk, x.mean(new int[] {3}, true).mean(new int[] {2}, true))) {
            op = "GlobalAveragePool";
        } else if (DjlBlockExporter.matches(yk, x.max(new int[] {3}, true).max(new int[] {2}, true))) {
            op = "GlobalMaxPool";
        }
        if (op == null) {
            return null;
        }
        String out = g.node(op, path + (flat ? "/pool" : ""), List.of(input));
        return flat ? g.node("Flatten", path, List.of(out), intAttr("axis", 1)) : out;
    }

    private static String pooling(OnnxGraphBuilder g, NDArray x, NDArray y, String input, String path) {
        Shape ys = y.getShape();
        if (ys.dimension() != 4 || ys.get(0) != x.getShape().get(0) || ys.get(1) != x.getShape().get(1)) {
            return null;
        }
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        for (int k : KERNELS) {
            for (int s : STRIDES) {
                for (int p : PADS) {
                    if (2 * p > k) {
                        continue; // PyTorch refuses pad > kernel/2
                    }
                    for (boolean ceil : new boolean[] {false, true}) {
                        if (out(h, k, s, p, ceil) != ys.get(2) || out(w, k, s, p, ceil) != ys.get(3)) {
                            continue;
                        }
                        Shape ks = new Shape(k, k);
                        Shape ss = new Shape(s, s);
                        Shape ps = new Shape(p, p);
                        if (DjlBlockExporter.matches(y, Pool.maxPool2d(x, ks, ss, ps, ceil))) {
                            return g.node("MaxPool", path, List.of(input), ints("kernel_shape", k, k), ints("strides", s, s),
                                    ints("pads", p, p, p, p), intAttr("ceil_mode", ceil ? 1 : 0));
                        }
                        for (boolean includePad : new boolean[] {true, false}) {
                            if (DjlBlockExporter.matches(y, Pool.avgPool2d(x, ks, ss, ps, ceil, includePad))) {
                                return g.node("AveragePool", path, List.of(input), ints("kernel_shape", k, k), ints("strides", s, s),
                                        ints("pads", p, p, p, p), intAttr("ceil_mode", ceil ? 1 : 0),
                                        intAttr("count_include_pad", includePad ? 1 : 0));
                            }
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Pooled size as PyTorch computes it (a ceil-mode window must start inside the padded input). */
    private static long out(long in, int k, int s, int p, boolean ceil) {
        long span = in + 2L * p - k;
        if (span < 0) {
            return -1;
        }
        long o = ceil ? (span + s - 1) / s + 1 : span / s + 1;
        if (ceil && (o - 1) * s >= in + p) {
            o--;
        }
        return o;
    }
}
