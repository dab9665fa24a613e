package org.triage.trainer.phantom;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.triage.trainer.data.DirectoryDataset;

/**
 * A contact sheet so a person can see the phantom: one row per class (its attributes beside
 * it), a few films that show that class, preferring films with that finding alone.
 */
final class PreviewSheet {
    static final int PER_CLASS = 6;
    private static final int LABEL_WIDTH = 260;

    private PreviewSheet() {}

    static void write(Path file, Path datasetDir, List<String> ids, LabelSampler.Draw[] draws, List<String> splits, int size)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        int cell = Math.max(128, size * 2);
        int rows = PhantomCatalog.CLASSES.size();
        int width = LABEL_WIDTH + PER_CLASS * (cell + 4) + 4;
        int height = 30 + rows * (cell + 4) + 4;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0x202020));
            g.fillRect(0, 0, width, height);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString("triage phantom: films per class (single-finding films first); patient's right on image left", 8, 20);
            for (int r = 0; r < rows; r++) {
                PhantomClass c = PhantomCatalog.CLASSES.get(r);
                int y = 30 + r * (cell + 4);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
                g.setColor(c.unseen() ? new Color(0xffb060) : Color.WHITE);
                g.drawString(c.name() + (c.unseen() ? "  (unseen)" : "  (seen)"), 8, y + 22);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.setColor(new Color(0xc0c0c0));
                List<String> a = c.attributes();
                g.drawString(a.get(0) + ", " + a.get(1) + ", " + a.get(2), 8, y + 42);
                g.drawString(a.get(3) + " border", 8, y + 58);
                g.drawString(a.get(4) + " zone, " + a.get(5), 8, y + 74);
                List<Integer> picks = pick(c, draws, splits);
                for (int k = 0; k < picks.size(); k++) {
                    int i = picks.get(k);
                    BufferedImage film = ImageIO.read(datasetDir.resolve(DirectoryDataset.IMAGES_DIR).resolve(ids.get(i) + ".png").toFile());
                    g.drawImage(film, LABEL_WIDTH + k * (cell + 4), y, cell, cell, null);
                }
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(sheet, "png", file.toFile());
    }

    private static List<Integer> pick(PhantomClass c, LabelSampler.Draw[] draws, List<String> splits) {
        List<Integer> alone = new ArrayList<>();
        List<Integer> mixed = new ArrayList<>();
        for (int i = 0; i < draws.length && alone.size() < PER_CLASS; i++) {
            if (!draws[i].shown().contains(c)) {
                continue;
            }
            (draws[i].shown().size() == 1 ? alone : mixed).add(i);
        }
        List<Integer> out = new ArrayList<>(alone);
        for (int i = 0; out.size() < PER_CLASS && i < mixed.size(); i++) {
            out.add(mixed.get(i));
        }
        return out;
    }
}
