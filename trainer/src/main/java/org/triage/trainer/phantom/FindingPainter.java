package org.triage.trainer.phantom;

import java.util.random.RandomGenerator;

/**
 * Paints one finding from its attributes alone, so that the same attribute value always looks the
 * same whatever class it belongs to (what makes zero-shot transfer possible):
 * <ul>
 * <li>density: opaque adds attenuation, lucent removes it (lucent + sharp also draws a thin
 *     dense wall or pleural line at the edge);</li>
 * <li>pattern: focal = one rounded lesion; diffuse = a patchy region (in the lower zone a fluid
 *     level filling the base); linear = parallel band-like streaks; reticular = a fine net;</li>
 * <li>size: small or large extent; border: sharp or ill-defined edge profile;</li>
 * <li>zone: upper, lower, central (perihilar), peripheral (subpleural); laterality: which lung(s).</li>
 * </ul>
 * Each instance draws its own amplitude, position jitter, orientation and texture, and is
 * confined to the lung fields.
 */
final class FindingPainter {
    private FindingPainter() {}

    static void paint(Canvas c, Anatomy an, PhantomClass cls, RandomGenerator rng) {
        String laterality = cls.attribute("laterality");
        if (!laterality.equals("left")) {
            paintSide(c, an, cls, 0, rng);
        }
        if (!laterality.equals("right")) {
            paintSide(c, an, cls, 1, rng);
        }
    }

    private static void paintSide(Canvas c, Anatomy an, PhantomClass cls, int side, RandomGenerator rng) {
        boolean lucent = cls.has("density", "lucent");
        boolean large = cls.has("size", "large");
        boolean sharp = cls.has("border", "sharp");
        String zone = cls.attribute("zone");
        String pattern = cls.attribute("pattern");

        double[] anchor = anchor(an, side, zone, rng);
        double au = anchor[0];
        double av = anchor[1];
        double amp = switch (pattern) {
            case "focal" -> lucent ? Anatomy.uniform(rng, 0.09, 0.13) : Anatomy.uniform(rng, 0.10, 0.16);
            case "diffuse" -> lucent ? Anatomy.uniform(rng, 0.07, 0.11) : Anatomy.uniform(rng, 0.09, 0.14);
            case "linear" -> Anatomy.uniform(rng, 0.13, 0.20);
            default -> Anatomy.uniform(rng, 0.11, 0.17);
        };
        if (!sharp) {
            amp *= 1.15; // a soft edge spreads the same lesion over more pixels at lower peak contrast
        }
        double sign = lucent ? -1 : 1;
        // Region shape by zone: subpleural lesions hug the chest wall, perihilar ones spread sideways.
        double stretchU = zone.equals("peripheral") ? 0.55 : zone.equals("central") ? 1.15 : 1.0;
        double stretchV = zone.equals("peripheral") ? 1.6 : zone.equals("central") ? 0.9 : 1.0;
        double edge = sharp ? 0.0035 : 0.03;

        // Instance parameters.
        double radius;
        double aspect = Anatomy.uniform(rng, 0.85, 1.15);
        double angle = Anatomy.uniform(rng, -0.3, 0.3);
        double[][] waves = waves(rng);
        double netAngle = Anatomy.uniform(rng, 0, Math.PI / 2);
        double netPhaseX = rng.nextDouble();
        double netPhaseY = rng.nextDouble();
        int lines = large ? 3 : 2;
        double lineLength = large ? Anatomy.uniform(rng, 0.12, 0.16) : Anatomy.uniform(rng, 0.06, 0.08);
        double levelDrop = large ? Anatomy.uniform(rng, 0.09, 0.12) : Anatomy.uniform(rng, 0.045, 0.06);
        switch (pattern) {
            case "focal" -> radius = large ? Anatomy.uniform(rng, 0.05, 0.07) : Anatomy.uniform(rng, 0.022, 0.032);
            case "diffuse" -> radius = large ? Anatomy.uniform(rng, 0.10, 0.12) : Anatomy.uniform(rng, 0.06, 0.07);
            case "reticular" -> radius = large ? Anatomy.uniform(rng, 0.11, 0.13) : Anatomy.uniform(rng, 0.06, 0.07);
            default -> radius = 0;
        }
        double cos = StrictMath.cos(angle);
        double sin = StrictMath.sin(angle);
        double s = Anatomy.sign(side);

        for (int i = 0; i < c.u.length; i++) {
            double mask = c.lung[side][i];
            if (mask < 0.002) {
                continue;
            }
            double u = c.u[i];
            double v = c.v[i];
            double du = u - au;
            double dv = v - av;
            double p;
            double wall = 0;
            switch (pattern) {
                case "focal" -> {
                    double r = radius;
                    double d = Math.sqrt(ChestRenderer.sq(du / (r * aspect)) + ChestRenderer.sq(dv / r));
                    p = sharp ? Canvas.sigmoid((1 - d) * r / 0.0035) : 1 / (1 + StrictMath.exp((d - 0.85) / 0.2));
                    if (lucent && sharp) {
                        wall = StrictMath.exp(-ChestRenderer.sq((d - 1) * r / 0.0045));
                    }
                }
                case "diffuse" -> {
                    double region;
                    double boundary;
                    if (zone.equals("lower")) {
                        // A level filling the base, rising toward the chest wall (meniscus).
                        double lateral = Canvas.clamp((s * (u - 0.5) - an.mediastinumHalf) / an.lungWidth, 0, 1);
                        double level = an.base(side) - an.domeHeight - levelDrop - 0.05 * lateral * lateral + 0.01 * StrictMath.sin(8 * u + waves[0][2]);
                        boundary = v - level;
                        region = Canvas.sigmoid(boundary / edge);
                    } else {
                        double d = Math.sqrt(ChestRenderer.sq(du / (radius * stretchU * aspect)) + ChestRenderer.sq(dv / (radius * stretchV)));
                        boundary = (1 - d) * radius;
                        region = Canvas.sigmoid(boundary / edge);
                    }
                    p = region * (0.72 + 0.28 * texture(waves, u, v));
                    if (lucent && sharp) {
                        wall = StrictMath.exp(-ChestRenderer.sq(boundary / 0.0045));
                    }
                }
                case "linear" -> {
                    double best = 0;
                    for (int k = 0; k < lines; k++) {
                        double offset = (k - (lines - 1) / 2.0) * 0.028;
                        double cu = au - sin * offset;
                        double cv = av + cos * offset;
                        double half = lineLength / 2;
                        double dist = Canvas.segmentDistance(u, v, cu - cos * half, cv - sin * half, cu + cos * half, cv + sin * half, null);
                        double prof = sharp ? Canvas.sigmoid((0.0055 - dist) / 0.0022) : 0.9 * StrictMath.exp(-ChestRenderer.sq(dist / 0.011));
                        best = Math.max(best, prof);
                    }
                    p = best;
                }
                default -> { // reticular
                    double d = Math.sqrt(ChestRenderer.sq(du / (radius * stretchU * aspect)) + ChestRenderer.sq(dv / (radius * stretchV)));
                    double region = Canvas.sigmoid((1 - d) * radius / edge);
                    double x = (du * StrictMath.cos(netAngle) + dv * StrictMath.sin(netAngle)) + 0.006 * StrictMath.sin(60 * dv + waves[1][2]);
                    double y = (-du * StrictMath.sin(netAngle) + dv * StrictMath.cos(netAngle)) + 0.006 * StrictMath.sin(60 * du + waves[2][2]);
                    double net = Math.max(ridge(x / 0.042 + netPhaseX), ridge(y / 0.042 + netPhaseY));
                    p = region * net;
                }
            }
            c.density[i] += sign * amp * (p - 0.6 * wall) * mask;
        }
    }

    /** Where in the lung a zone puts its lesion (lung-relative q across, t down; with jitter). */
    private static double[] anchor(Anatomy an, int side, String zone, RandomGenerator rng) {
        return switch (zone) {
            case "upper" -> an.lungPoint(side, Anatomy.uniform(rng, 0.32, 0.65), Anatomy.uniform(rng, 0.14, 0.28));
            case "lower" -> an.lungPoint(side, Anatomy.uniform(rng, 0.3, 0.7), Anatomy.uniform(rng, 0.72, 0.84));
            case "central" -> an.lungPoint(side, Anatomy.uniform(rng, 0.08, 0.25), Anatomy.uniform(rng, 0.42, 0.58));
            default -> an.lungPoint(side, Anatomy.uniform(rng, 0.84, 0.95), Anatomy.uniform(rng, 0.38, 0.62));
        };
    }

    private static double ridge(double s) {
        double f = s - Math.floor(s) - 0.5;
        return StrictMath.exp(-f * f / (2 * 0.12 * 0.12));
    }

    private static double[][] waves(RandomGenerator rng) {
        double[][] w = new double[4][3];
        for (double[] x : w) {
            double dir = rng.nextDouble() * 2 * Math.PI;
            double freq = 2 * Math.PI / Anatomy.uniform(rng, 0.06, 0.1);
            x[0] = freq * StrictMath.cos(dir);
            x[1] = freq * StrictMath.sin(dir);
            x[2] = rng.nextDouble() * 2 * Math.PI;
        }
        return w;
    }

    /** Patchy texture in [0,1]. */
    private static double texture(double[][] waves, double u, double v) {
        double t = 0;
        for (double[] w : waves) {
            t += StrictMath.sin(w[0] * u + w[1] * v + w[2]);
        }
        return 0.5 + t / 8;
    }
}
