package org.triage.trainer.phantom;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Class semantic vectors for the phantom: the multi-hot attribute encoding through a fixed
 * seeded Gaussian random projection to the BioBERT dimension, plus small per-class noise. The
 * element scale matches the BioBERT class embeddings of ChestX-ray14 (std about 0.58, norm about
 * 18.5 at 1024 dimensions), so the trainer sees vectors of the same magnitude on both datasets.
 * Unseen classes are only reachable through the attributes they share with seen ones.
 */
final class SemanticVectors {
    static final String ENCODER = "phantom-attributes-random-projection";
    static final double ELEMENT_STD = 0.58;
    static final double NOISE_STD = 0.06;

    private SemanticVectors() {}

    static Map<String, float[]> build(long seed, int dim) {
        SplittableRandom rng = new SplittableRandom(PhantomGenerator.mix(seed, 0x5e3a17c0L, 0));
        int k = PhantomCatalog.encodingLength();
        double[][] projection = new double[dim][k];
        for (double[] row : projection) {
            for (int j = 0; j < k; j++) {
                row[j] = Canvas.gaussian(rng) * ELEMENT_STD;
            }
        }
        double norm = Math.sqrt(PhantomCatalog.GROUPS.size()); // each encoding has one 1 per group
        Map<String, float[]> out = new LinkedHashMap<>();
        for (PhantomClass c : PhantomCatalog.CLASSES) {
            float[] code = PhantomCatalog.encode(c);
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                double x = 0;
                for (int j = 0; j < k; j++) {
                    x += projection[i][j] * code[j];
                }
                v[i] = (float) (x / norm + NOISE_STD * Canvas.gaussian(rng));
            }
            out.put(c.name(), v);
        }
        return out;
    }
}
