package org.triage.trainer.phantom;

import java.util.random.RandomGenerator;

/**
 * One synthetic patient's chest: geometry and exposure drawn per image, so that no two films
 * share position, size, inspiration, heart size or exposure. Coordinates are "body" units:
 * u across (0 = image left = patient's right), v down, both about [0,1].
 */
final class Anatomy {
    // Patient placement on the detector.
    final double scale;
    final double shiftU;
    final double shiftV;
    final double rotation;
    // Geometry.
    final double mediastinumHalf;
    final double lungWidth;
    final double lungTop;
    final double[] lungBase = new double[2]; // index 0: patient's right (image left), 1: left
    final double domeHeight;
    final double heartCenterU;
    final double heartCenterV;
    final double heartRadiusU;
    final double heartRadiusV;
    final double ribSpacing;
    final double ribPhase;
    final double softTissue;
    // Exposure.
    final double gain;
    final double offset;
    final double gamma;
    final double noiseSigma;
    final double heelGradient;
    final double[][] vessels; // per segment: side, u0, v0, u1, v1, width, strength

    Anatomy(RandomGenerator rng) {
        scale = uniform(rng, 0.90, 1.06);
        shiftU = uniform(rng, -0.035, 0.035);
        shiftV = uniform(rng, -0.03, 0.03);
        rotation = uniform(rng, -0.05, 0.05);
        mediastinumHalf = uniform(rng, 0.065, 0.085);
        lungWidth = uniform(rng, 0.29, 0.34);
        lungTop = uniform(rng, 0.11, 0.15);
        double inspiration = uniform(rng, -0.04, 0.04);
        lungBase[0] = 0.80 + inspiration;
        lungBase[1] = lungBase[0] + uniform(rng, 0.0, 0.03);
        domeHeight = uniform(rng, 0.05, 0.09);
        double heartScale = uniform(rng, 0.88, 1.15);
        // The heart sits on the diaphragm: its lower half merges with the abdomen's density.
        heartCenterU = 0.5 + uniform(rng, 0.06, 0.08);
        heartCenterV = lungBase[1] - domeHeight + uniform(rng, -0.015, 0.015);
        heartRadiusU = 0.165 * heartScale;
        heartRadiusV = 0.16 * heartScale;
        ribSpacing = (lungBase[0] - lungTop) / uniform(rng, 8.6, 9.4);
        ribPhase = uniform(rng, -0.01, 0.01);
        softTissue = uniform(rng, 0.47, 0.56);
        gain = uniform(rng, 0.92, 1.12);
        offset = uniform(rng, -0.03, 0.06);
        gamma = uniform(rng, 0.85, 1.2);
        noiseSigma = uniform(rng, 0.025, 0.045);
        heelGradient = uniform(rng, -0.04, 0.04);
        vessels = vessels(rng);
    }

    static double uniform(RandomGenerator rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** Lung base (costophrenic level) of a side: 0 = patient's right, 1 = left. */
    double base(int side) {
        return lungBase[side];
    }

    /** Signed sense of a side in u: patient's right lies at image left. */
    static double sign(int side) {
        return side == 0 ? -1 : 1;
    }

    /** Body point of a lung-relative position: q across (0 medial .. 1 lateral), t down (0 apex .. 1 base). */
    double[] lungPoint(int side, double q, double t) {
        double a = mediastinumHalf + q * lungWidth;
        return new double[] {0.5 + sign(side) * a, lungTop + t * (base(side) - lungTop)};
    }

    // Branching vascular markings from each hilum, fading toward the periphery.
    private double[][] vessels(RandomGenerator rng) {
        double[][] out = new double[2 * 9 * 3][];
        int n = 0;
        for (int side = 0; side < 2; side++) {
            double s = sign(side);
            double hu = 0.5 + s * (mediastinumHalf + 0.035);
            double hv = lungTop + 0.47 * (base(side) - lungTop);
            for (int b = 0; b < 9; b++) {
                double angle = uniform(rng, -1.25, 1.35) + (b - 4) * 0.05; // from up-lateral to down-lateral
                double len = uniform(rng, 0.12, 0.22);
                double du = s * StrictMath.cos(angle) * len;
                double dv = StrictMath.sin(angle) * len * 1.1;
                double mu = hu + 0.55 * du;
                double mv = hv + 0.55 * dv;
                out[n++] = new double[] {side, hu, hv, mu, mv, 0.0065, uniform(rng, 0.035, 0.055)};
                for (int k = 0; k < 2; k++) {
                    double a2 = angle + (k == 0 ? -1 : 1) * uniform(rng, 0.2, 0.5);
                    double l2 = len * uniform(rng, 0.4, 0.6);
                    out[n++] = new double[] {side, mu, mv, mu + s * StrictMath.cos(a2) * l2, mv + StrictMath.sin(a2) * l2 * 1.1,
                        0.0035, uniform(rng, 0.02, 0.035)};
                }
            }
        }
        return out;
    }
}
