package org.triage.trainer.phantom;

import java.util.random.RandomGenerator;

/**
 * Paints the normal chest into a {@link Canvas}: body and neck, lung fields with apices and
 * diaphragmatic domes, mediastinum and spine, heart, abdomen with gastric bubble, posterior
 * ribs, clavicles, hila and branching vascular markings. Then turns attenuation into a film:
 * exposure, gamma, heel effect, quantum noise, 2x2 downsampling, 8-bit quantisation.
 */
final class ChestRenderer {
    private ChestRenderer() {}

    static void paintAnatomy(Canvas c, Anatomy an) {
        double m = an.mediastinumHalf;
        double w = an.lungWidth;
        double[] along = new double[1];
        for (int i = 0; i < c.u.length; i++) {
            double u = c.u[i];
            double v = c.v[i];
            double au = Math.abs(u - 0.5);
            int side = u < 0.5 ? 0 : 1;
            double s = Anatomy.sign(side);
            double a = s * (u - 0.5);

            // Body outline with the neck narrowing above the shoulders.
            double half = v < 0.12 ? 0.13 + 0.32 * smooth((v + 0.04) / 0.16) : 0.45 + 0.02 * v;
            double body = Canvas.sigmoid((half - au) / 0.008) * Canvas.sigmoid((v + 0.2) / 0.02);

            // Heart, bulging to the patient's left.
            double hu = (u - an.heartCenterU) / an.heartRadiusU;
            double hv = (v - an.heartCenterV) / an.heartRadiusV;
            double heart = Canvas.sigmoid((1 - Math.sqrt(hu * hu + hv * hv)) / 0.035);

            // Diaphragm dome of this side; below it lies the abdomen.
            double domeX = (a - (m + 0.4 * w)) / (0.65 * w);
            double diaphragm = an.base(side) - an.domeHeight * Math.max(0, 1 - domeX * domeX);
            double belly = Canvas.sigmoid((v - diaphragm) / 0.006);

            double lungSd = lungSignedDistance(an, side, a, v, diaphragm);
            double lung = Canvas.sigmoid(lungSd / 0.0045) * (1 - heart) * body;
            double lungSoft = Canvas.sigmoid(lungSd / 0.01) * (1 - 0.85 * heart);
            c.lung[side][i] = lungSoft;
            c.lung[1 - side][i] = 0;

            double d = 0.035 + an.softTissue * body;
            double med = Canvas.sigmoid((m + 0.012 * StrictMath.exp(-sq((v - 0.3) / 0.05)) * (u > 0.5 ? 1 : 0) - au) / 0.005)
                    * Canvas.sigmoid((v - 0.0) / 0.02);
            d += 0.10 * med * (1 - belly);
            d += 0.09 * heart;
            d += 0.08 * belly * body * (side == 0 ? 1.2 : 1.0); // the liver is denser than the spleen side
            // Spine: vertebral bodies faintly visible through the mediastinum.
            double spine = Canvas.sigmoid((0.03 - au) / 0.004);
            double vert = StrictMath.cos(Math.PI * (v - an.ribPhase) / an.ribSpacing);
            d += spine * (0.035 + 0.02 * vert * vert);
            // Gastric air bubble under the left dome.
            double gu = (u - 0.67) / 0.05;
            double gv = (v - (an.base(1) + 0.03)) / 0.028;
            d -= 0.2 * Canvas.sigmoid((1 - Math.sqrt(gu * gu + gv * gv)) / 0.08) * belly * (side == 1 ? 1 : 0);

            d -= 0.33 * lung;

            // Posterior ribs: bands that run laterally and downward from the spine.
            if (a > 0.025 && a < 0.47 && body > 0.01) {
                double x = a - 0.025;
                double curve = 0.10 * x + 0.55 * x * x;
                double th = 0.36 * an.ribSpacing;
                double rel = (v - an.lungTop + 0.035 - an.ribPhase - curve) / an.ribSpacing;
                int k = (int) Math.round(rel);
                if (k >= 0 && k <= 10) {
                    double dist = Math.abs(rel - k) * an.ribSpacing;
                    double rib = Canvas.sigmoid((th / 2 - dist) / 0.0028);
                    double cortex = StrictMath.exp(-sq((dist - th / 2) / 0.003));
                    d += (0.045 * rib + 0.02 * cortex) * body * (1 - 0.5 * belly);
                }
            }
            // Clavicles.
            double cd = Canvas.segmentDistance(u, v, 0.5 + s * 0.03, an.lungTop + 0.045, 0.5 + s * 0.29, an.lungTop - 0.035, null);
            d += 0.09 * Canvas.sigmoid((0.012 - cd) / 0.003);
            // Hilum.
            double hilU = 0.5 + s * (m + 0.03);
            double hilV = an.lungTop + 0.47 * (an.base(side) - an.lungTop);
            d += 0.06 * StrictMath.exp(-(sq(u - hilU) + sq(v - hilV)) / (2 * 0.022 * 0.022)) * body;
            c.density[i] = d;
        }
        // Vascular markings, visible only inside the lungs.
        for (double[] seg : an.vessels) {
            int side = (int) seg[0];
            double minU = Math.min(seg[1], seg[3]) - 0.02;
            double maxU = Math.max(seg[1], seg[3]) + 0.02;
            double minV = Math.min(seg[2], seg[4]) - 0.02;
            double maxV = Math.max(seg[2], seg[4]) + 0.02;
            for (int i = 0; i < c.u.length; i++) {
                double u = c.u[i];
                double v = c.v[i];
                if (u < minU || u > maxU || v < minV || v > maxV || c.lung[side][i] < 0.01) {
                    continue;
                }
                double dist = Canvas.segmentDistance(u, v, seg[1], seg[2], seg[3], seg[4], along);
                double width = seg[5] * (1 - 0.5 * along[0]);
                c.density[i] += seg[6] * StrictMath.exp(-sq(dist / width)) * c.lung[side][i];
            }
        }
    }

    private static double lungSignedDistance(Anatomy an, int side, double a, double v, double diaphragm) {
        double m = an.mediastinumHalf;
        double w = an.lungWidth;
        double t = (v - an.lungTop) / (an.base(side) - an.lungTop);
        double center = m + 0.5 * w;
        double h = 0.5 * w * Math.min(1, Math.sqrt(Math.max(t, 0) / 0.3)) * (1 + 0.1 * Canvas.clamp(t, 0, 1));
        double medial = Math.max(m, center - h);
        double lateral = center + h;
        return Math.min(Math.min(a - medial, lateral - a), Math.min(diaphragm - v, v - an.lungTop + 0.002));
    }

    /** Film: exposure and gamma, heel effect, noise, 2x2 box downsampling, 8-bit. */
    static byte[] develop(Canvas c, Anatomy an, RandomGenerator rng) {
        int res = c.res;
        double[] film = new double[res * res];
        for (int i = 0; i < film.length; i++) {
            double x = an.gain * c.density[i] + an.offset + an.heelGradient * (c.v[i] - 0.5);
            x = StrictMath.pow(Canvas.clamp(x, 0, 1), an.gamma);
            film[i] = x + an.noiseSigma * Canvas.gaussian(rng);
        }
        int out = res / 2;
        byte[] pixels = new byte[out * out];
        for (int y = 0; y < out; y++) {
            for (int x = 0; x < out; x++) {
                int i = 2 * y * res + 2 * x;
                double mean = (film[i] + film[i + 1] + film[i + res] + film[i + res + 1]) / 4;
                pixels[y * out + x] = (byte) (int) Math.round(Canvas.clamp(mean, 0, 1) * 255);
            }
        }
        return pixels;
    }

    static double sq(double x) {
        return x * x;
    }

    static double smooth(double x) {
        x = Canvas.clamp(x, 0, 1);
        return x * x * (3 - 2 * x);
    }
}
