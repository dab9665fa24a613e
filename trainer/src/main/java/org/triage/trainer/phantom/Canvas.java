package org.triage.trainer.phantom;

/**
 * The working surface of one film at the internal (supersampled) resolution: per pixel its body
 * coordinates, the attenuation ("density", brighter = denser) being built, and each lung's mask.
 */
final class Canvas {
    final int res;
    final double[] u;
    final double[] v;
    final double[] density;
    /** Soft lung masks (0 outside, 1 inside), index 0 = patient's right. Findings are confined to them. */
    final double[][] lung;

    Canvas(int res, Anatomy an) {
        this.res = res;
        int n = res * res;
        u = new double[n];
        v = new double[n];
        density = new double[n];
        lung = new double[2][n];
        double cos = StrictMath.cos(an.rotation);
        double sin = StrictMath.sin(an.rotation);
        for (int py = 0; py < res; py++) {
            for (int px = 0; px < res; px++) {
                double x = (px + 0.5) / res - 0.5 - an.shiftU;
                double y = (py + 0.5) / res - 0.5 - an.shiftV;
                int i = py * res + px;
                u[i] = 0.5 + (x * cos + y * sin) / an.scale;
                v[i] = 0.5 + (-x * sin + y * cos) / an.scale;
            }
        }
    }

    /**
     * Standard normal by Box-Muller on StrictMath: the JDK's nextGaussian algorithm and Math's
     * intrinsics may differ between JVMs and CPUs, and a seed must give the same files everywhere.
     */
    static double gaussian(java.util.random.RandomGenerator rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    static double sigmoid(double x) {
        if (x > 30) {
            return 1;
        }
        if (x < -30) {
            return 0;
        }
        return 1 / (1 + StrictMath.exp(-x));
    }

    static double clamp(double x, double lo, double hi) {
        return x < lo ? lo : (x > hi ? hi : x);
    }

    /** Distance from (pu,pv) to the segment (u0,v0)-(u1,v1), and the position along it in [0,1] (out[0]). */
    static double segmentDistance(double pu, double pv, double u0, double v0, double u1, double v1, double[] along) {
        double du = u1 - u0;
        double dv = v1 - v0;
        double len2 = du * du + dv * dv;
        double t = len2 == 0 ? 0 : clamp(((pu - u0) * du + (pv - v0) * dv) / len2, 0, 1);
        if (along != null) {
            along[0] = t;
        }
        double eu = pu - (u0 + t * du);
        double ev = pv - (v0 + t * dv);
        return Math.sqrt(eu * eu + ev * ev);
    }
}
