package org.triage.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Initialises the DenseNet backbone from weights a user supplies (for instance ImageNet weights
 * they already have), never from a download.
 *
 * <p>The file is a NumPy {@code .npz} of a torchvision DenseNet {@code state_dict()}, the form a
 * user can write anywhere PyTorch runs:
 * <pre>
 *   sd = torchvision.models.densenet121(weights=...).state_dict()
 *   numpy.savez("densenet121.npz", **{k: v.numpy() for k, v in sd.items()})
 * </pre>
 * Keys are torchvision's ({@code features.conv0.weight}, {@code features.denseblock1.denselayer1.norm1.running_mean},
 * {@code features.transition1.conv.weight}, {@code features.norm5.bias}, ...); the pre-0.3 style
 * ({@code denselayer1.norm.1.weight}) and a missing {@code features.} prefix are accepted too.
 * {@code classifier.*} and {@code num_batches_tracked} are ignored; every other key must match a
 * backbone parameter and every backbone parameter must be present, with its exact shape, so
 * weights of another architecture are refused with the names that disagree rather than half-loaded.
 */
public final class BackboneWeights {
    private static final Pattern OLD_STYLE_INDEXED = Pattern.compile("^(.*denselayer\\d+)\\.(norm|relu|conv)\\.(\\d)\\.(.+)$");

    private BackboneWeights() {}

    /** A backbone parameter and the torchvision key that holds it. */
    public record Mapping(String torchKey, Parameter parameter) {}

    /**
     * The torchvision key of every backbone parameter, in block order, by walking the block tree
     * {@link DenseNetBuilder#backbone} builds (stem conv0/norm0, denseblockB.denselayerL.{norm1,conv1,norm2,conv2},
     * transitionB.{norm,conv}, norm5).
     */
    public static List<Mapping> mappings(SequentialBlock backbone) {
        List<Mapping> out = new ArrayList<>();
        List<Block> top = children(backbone);
        int denseBlocks = 0;
        boolean stemConvSeen = false;
        boolean stemNormSeen = false;
        for (int i = 0; i < top.size(); i++) {
            Block b = top.get(i);
            if (b instanceof Conv2d && !stemConvSeen) {
                add(out, "features.conv0", b);
                stemConvSeen = true;
            } else if (b instanceof BatchNorm) {
                add(out, stemNormSeen ? "features.norm5" : "features.norm0", b);
                stemNormSeen = true;
            } else if (b instanceof SequentialBlock seq) {
                List<Block> kids = children(seq);
                if (!kids.isEmpty() && kids.get(0) instanceof DenseLayerBlock) {
                    denseBlocks++;
                    for (int l = 0; l < kids.size(); l++) {
                        String prefix = "features.denseblock" + denseBlocks + ".denselayer" + (l + 1);
                        List<Block> branch = children(((DenseLayerBlock) kids.get(l)).getChildren().get(0).getValue());
                        addLayers(out, prefix, branch, new String[] {"norm1", "conv1", "norm2", "conv2"});
                    }
                } else {
                    addLayers(out, "features.transition" + denseBlocks, kids, new String[] {"norm", "conv"});
                }
            }
        }
        return out;
    }

    /**
     * Loads {@code file} into the backbone.
     *
     * @return how many arrays were loaded
     * @throws IllegalArgumentException naming the file and the keys that are missing, unexpected or of the wrong shape
     */
    public static int load(SequentialBlock backbone, Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--backbone-weights " + file + ": no such file");
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        try (NDManager scratch = manager.newSubManager()) {
            NDList list;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                list = NDList.decode(scratch, in);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--backbone-weights " + file + ": not a readable .npz file (" + e.getMessage() + ")", e);
            }
            for (NDArray a : list) {
                String key = canonical(a.getName());
                if (key.endsWith("num_batches_tracked") || key.startsWith("classifier.")) {
                    continue;
                }
                arrays.put(key, a);
            }
            List<Mapping> wanted = mappings(backbone);
            TreeSet<String> missing = new TreeSet<>();
            List<String> wrongShape = new ArrayList<>();
            for (Mapping m : wanted) {
                NDArray a = arrays.get(m.torchKey());
                if (a == null) {
                    missing.add(m.torchKey());
                } else if (!a.getShape().equals(m.parameter().getArray().getShape())) {
                    wrongShape.add(m.torchKey() + " " + a.getShape() + " (the network needs " + m.parameter().getArray().getShape() + ")");
                }
            }
            TreeSet<String> unexpected = new TreeSet<>(arrays.keySet());
            wanted.forEach(m -> unexpected.remove(m.torchKey()));
            if (!missing.isEmpty() || !wrongShape.isEmpty() || !unexpected.isEmpty()) {
                StringBuilder msg = new StringBuilder("--backbone-weights " + file + " does not fit this backbone (" + wanted.size()
                        + " arrays expected, torchvision DenseNet state_dict names):");
                describe(msg, "missing", new ArrayList<>(missing));
                describe(msg, "wrong shape", wrongShape);
                describe(msg, "unexpected", new ArrayList<>(unexpected));
                throw new IllegalArgumentException(msg.toString());
            }
            for (Mapping m : wanted) {
                NDArray target = m.parameter().getArray();
                arrays.get(m.torchKey()).toType(target.getDataType(), false).copyTo(target);
            }
            return wanted.size();
        }
    }

    /** Current torchvision key for an old-style or prefix-less one. */
    static String canonical(String name) {
        String key = name == null ? "" : name;
        if (key.startsWith("module.")) {
            key = key.substring("module.".length());
        }
        if (!key.startsWith("features.") && !key.startsWith("classifier.")) {
            key = "features." + key;
        }
        Matcher m = OLD_STYLE_INDEXED.matcher(key);
        if (m.matches()) {
            return m.group(1) + "." + m.group(2) + m.group(3) + "." + m.group(4);
        }
        return key;
    }

    private static void describe(StringBuilder msg, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        msg.append(' ').append(names.size()).append(' ').append(what).append(": ");
        msg.append(String.join(", ", names.subList(0, Math.min(5, names.size()))));
        if (names.size() > 5) {
            msg.append(", ...");
        }
        msg.append(';');
    }

    private static void addLayers(List<Mapping> out, String prefix, List<Block> blocks, String[] names) {
        int n = 0;
        for (Block b : blocks) {
            if (b instanceof BatchNorm || b instanceof Conv2d) {
                if (n >= names.length) {
                    throw new IllegalStateException(prefix + " has more parameterised layers than a DenseNet layer");
                }
                add(out, prefix + "." + names[n++], b);
            }
        }
    }

    private static void add(List<Mapping> out, String prefix, Block b) {
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(new Mapping(prefix + "." + torchName(p.getKey()), p.getValue()));
        }
    }

    private static String torchName(String djl) {
        return switch (djl) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djl;
        };
    }

    private static List<Block> children(Block b) {
        List<Block> out = new ArrayList<>();
        for (Pair<String, Block> p : b.getChildren()) {
            out.add(p.getValue());
        }
        return out;
    }
}
