package org.triage.trainer.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The shape of a DenseNet feature extractor plus the two mapping MLPs.
 *
 * @param name         arch id recorded in config.json ("densenet121", "densenet-small", "densenet-small-hr", "densenet-small-hr4", "densenet-tiny")
 * @param stemKernel   kernel of the stride-2 stem conv (7 for DenseNet121, 3 for small images); padding kernel/2
 * @param stemPool     a 3x3/2 max pool (padding 1) after the stem's BN-ReLU
 * @param initFeatures channels of the stem conv
 * @param blockLayers  dense layers per dense block (a transition follows every block but the last)
 * @param growth       growth rate k (channels each dense layer adds)
 * @param bnSize       bottleneck width multiplier: the 1x1 conv outputs bnSize*k channels
 * @param compression  channel factor of each transition's 1x1 conv (0.5)
 * @param hidden       hidden widths of both mapping MLPs (512, 256)
 * @param embeddingDim dimension of the shared space (100)
 * @param leakySlope   negative slope of the visual MLP's LeakyReLU
 * @param semanticSlope negative slope of the semantic MLP's LeakyReLU (1 makes the semantic mapping linear)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ArchSpec(String name, int stemKernel, boolean stemPool, int initFeatures, int[] blockLayers, int growth, int bnSize,
        double compression, int[] hidden, int embeddingDim, float leakySlope, float semanticSlope) {

    public static final float DEFAULT_LEAKY_SLOPE = 0.01f;

    /** torchvision densenet121 layout: 6-12-24-16, k=32, 64-channel stem; 1024-d pooled output. */
    public static ArchSpec densenet121() {
        return new ArchSpec("densenet121", 7, true, 64, new int[] {6, 12, 24, 16}, 32, 4, 0.5, new int[] {512, 256}, 100, DEFAULT_LEAKY_SLOPE, DEFAULT_LEAKY_SLOPE);
    }

    /** CPU benchmark size for 64-96 px inputs: 3x3/2 stem + max pool (1/4 resolution, as DenseNet121's stem), 3 blocks of 4 layers, k=16. */
    public static ArchSpec densenetSmall() {
        return new ArchSpec("densenet-small", 3, true, 32, new int[] {4, 4, 4}, 16, 4, 0.5, new int[] {512, 256}, 100, DEFAULT_LEAKY_SLOPE, DEFAULT_LEAKY_SLOPE);
    }

    /** densenet-small without the stem max pool: the first dense block runs at 1/2 instead of 1/4 resolution (about 3x the cost). */
    public static ArchSpec densenetSmallHr() {
        return new ArchSpec("densenet-small-hr", 3, false, 32, new int[] {4, 4, 4}, 16, 4, 0.5, new int[] {512, 256}, 100, DEFAULT_LEAKY_SLOPE,
                DEFAULT_LEAKY_SLOPE);
    }

    /**
     * densenet-small-hr with a fourth dense block (as DenseNet121 has four): the first block at 1/2 resolution keeps small
     * findings, the fourth (at 1/16) widens the receptive field for large diffuse ones; the extra block costs little at 4x4.
     */
    public static ArchSpec densenetSmallHr4() {
        return new ArchSpec("densenet-small-hr4", 3, false, 32, new int[] {4, 4, 4, 4}, 16, 4, 0.5, new int[] {512, 256}, 100, DEFAULT_LEAKY_SLOPE,
                DEFAULT_LEAKY_SLOPE);
    }

    /** Unit-test size: seconds per step on a laptop core. */
    public static ArchSpec densenetTiny() {
        return new ArchSpec("densenet-tiny", 3, false, 8, new int[] {1, 1}, 4, 2, 0.5, new int[] {16, 8}, 8, DEFAULT_LEAKY_SLOPE, DEFAULT_LEAKY_SLOPE);
    }

    public static ArchSpec byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "densenet121" -> densenet121();
            case "densenet-small" -> densenetSmall();
            case "densenet-small-hr" -> densenetSmallHr();
            case "densenet-small-hr4" -> densenetSmallHr4();
            case "densenet-tiny" -> densenetTiny();
            default -> throw new IllegalArgumentException("unknown arch '" + name + "'; expected densenet121, densenet-small, densenet-small-hr, densenet-small-hr4 or densenet-tiny");
        };
    }

    /** The same network with another semantic-MLP slope. */
    public ArchSpec withSemanticSlope(float slope) {
        return new ArchSpec(name, stemKernel, stemPool, initFeatures, blockLayers, growth, bnSize, compression, hidden, embeddingDim, leakySlope, slope);
    }

    /** True for the 7x7 stem of ImageNet-size inputs (224 px), false for the small-image 3x3 stem (64-96 px). */
    public boolean imagenetStem() {
        return stemKernel >= 7;
    }

    /** Channels of the pooled feature vector (1024 for densenet121). */
    public int featureDim() {
        int c = initFeatures;
        for (int b = 0; b < blockLayers.length; b++) {
            c += blockLayers[b] * growth;
            if (b < blockLayers.length - 1) {
                c = (int) Math.floor(c * compression);
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return name + "[stem=" + stemKernel + "x" + stemKernel + "/2" + (stemPool ? "+maxpool" : "") + ", init=" + initFeatures + ", blocks="
                + Arrays.toString(blockLayers) + ", k=" + growth + ", features=" + featureDim() + ", mlp=" + Arrays.toString(hidden)
                + "->" + embeddingDim + "]";
    }
}
