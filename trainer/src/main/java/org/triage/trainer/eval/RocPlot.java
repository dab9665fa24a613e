package org.triage.trainer.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/** ROC curves as a PNG: one curve per class, seen solid, unseen dashed, legend with AUROC. */
final class RocPlot {
    private static final int W = 1000;
    private static final int H = 720;
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int PLOT = 620;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
        new Color(0x393b79), new Color(0xad494a), new Color(0x637939), new Color(0x843c39), new Color(0x3182bd),
        new Color(0xe6550d)
    };

    private RocPlot() {}

    static void write(Path file, List<String> labels, Set<String> unseen, Map<String, Auroc.Curve> curves,
            Map<String, Double> auroc) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // grid and axes
            g.setColor(new Color(0xe0e0e0));
            for (int t = 0; t <= 10; t++) {
                int p = LEFT + t * PLOT / 10;
                g.drawLine(p, TOP, p, TOP + PLOT);
                int q = TOP + t * PLOT / 10;
                g.drawLine(LEFT, q, LEFT + PLOT, q);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, PLOT, PLOT);
            for (int t = 0; t <= 10; t += 2) {
                String s = String.format(Locale.ROOT, "%.1f", t / 10.0);
                g.drawString(s, LEFT + t * PLOT / 10 - 8, TOP + PLOT + 16);
                g.drawString(s, LEFT - 28, TOP + PLOT - t * PLOT / 10 + 4);
            }
            g.drawString("False positive rate", LEFT + PLOT / 2 - 50, TOP + PLOT + 36);
            g.rotate(-Math.PI / 2);
            g.drawString("True positive rate", -(TOP + PLOT / 2 + 50), LEFT - 40);
            g.rotate(Math.PI / 2);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString("ROC curves (generalized zero-shot: every image scored for every label)", LEFT, TOP - 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // chance line
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f));
            g.drawLine(LEFT, TOP + PLOT, LEFT + PLOT, TOP);

            int legendX = LEFT + PLOT + 24;
            int legendY = TOP + 10;
            for (int j = 0; j < labels.size(); j++) {
                String label = labels.get(j);
                boolean isUnseen = unseen.contains(label);
                Color c = PALETTE[j % PALETTE.length];
                BasicStroke stroke = isUnseen
                        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f)
                        : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
                g.setColor(c);
                g.setStroke(stroke);
                Auroc.Curve curve = curves.get(label);
                if (curve != null) {
                    Path2D.Double path = new Path2D.Double();
                    double[] x = curve.fpr();
                    double[] y = curve.tpr();
                    path.moveTo(LEFT + x[0] * PLOT, TOP + PLOT - y[0] * PLOT);
                    for (int i = 1; i < x.length; i++) {
                        path.lineTo(LEFT + x[i] * PLOT, TOP + PLOT - y[i] * PLOT);
                    }
                    g.draw(path);
                }
                int ly = legendY + j * 20;
                g.drawLine(legendX, ly, legendX + 30, ly);
                g.setColor(Color.BLACK);
                double a = auroc.get(label);
                String text = label + (isUnseen ? " (unseen)" : "") + "  "
                        + (Double.isNaN(a) ? "n/a" : String.format(Locale.ROOT, "%.3f", a));
                g.drawString(text, legendX + 38, ly + 4);
            }
            g.setColor(Color.BLACK);
            int ny = legendY + labels.size() * 20 + 16;
            g.drawString("solid: seen   dashed: unseen", legendX, ny);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
