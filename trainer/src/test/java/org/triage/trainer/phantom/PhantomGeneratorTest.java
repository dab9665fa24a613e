package org.triage.trainer.phantom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;

class PhantomGeneratorTest {
    @Test
    void rendersAnAttributeCombinationOutsideTheCatalogDeterministically() {
        PhantomClass unnamed = new PhantomClass("Unnamed", true, List.of("lucent", "linear", "large", "ill-defined", "central", "bilateral"), 1);
        assertTrue(PhantomCatalog.CLASSES.stream().noneMatch(c -> c.attributes().equals(unnamed.attributes())));
        byte[] a = PhantomGenerator.renderFilm(List.of(unnamed), 7, 3, 64);
        assertArrayEquals(a, PhantomGenerator.renderFilm(List.of(unnamed), 7, 3, 64));
        assertEquals(64 * 64, a.length);
        // Same (seed, index) without the finding: the same patient and noise, so only the finding differs.
        byte[] none = PhantomGenerator.renderFilm(List.of(), 7, 3, 64);
        int changed = 0;
        for (int i = 0; i < a.length; i++) changed += a[i] != none[i] ? 1 : 0;
        assertTrue(changed > 20, "the finding changes " + changed + " pixels");
        assertFalse(java.util.Arrays.equals(a, PhantomGenerator.renderFilm(List.of(unnamed), 7, 4, 64)));
    }

    private static PhantomConfig small(Path out, long seed, int threads, boolean preview) {
        return new PhantomConfig(out, seed, 32, 40, 10, 40, threads, 0.03, 0.35, 64, preview);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesByteIdenticalFilesWhateverTheThreads(@TempDir Path root) throws IOException {
        new PhantomGenerator(small(root.resolve("a"), 11, 1, true), quiet()).generate();
        new PhantomGenerator(small(root.resolve("b"), 11, 3, true), quiet()).generate();
        new PhantomGenerator(small(root.resolve("c"), 12, 2, false), quiet()).generate();
        Map<String, byte[]> a = contents(root.resolve("a"));
        Map<String, byte[]> b = contents(root.resolve("b"));
        Map<String, byte[]> c = contents(root.resolve("c"));
        assertEquals(a.keySet(), b.keySet());
        assertEquals(90 + 5, a.size(), "90 images + labels.csv, classes.json, dataset.json, findings.csv, preview.png");
        for (String f : a.keySet()) {
            assertArrayEquals(a.get(f), b.get(f), f + " differs between runs with the same seed");
        }
        int differing = 0;
        for (String f : c.keySet()) {
            if (f.endsWith(".png") && !java.util.Arrays.equals(a.get(f), c.get(f))) {
                differing++;
            }
        }
        assertEquals(90, differing, "another seed gives other films");
    }

    @Test
    void writesAValidGzslDataset(@TempDir Path dir) throws IOException {
        new PhantomGenerator(small(dir, 3, 2, true), quiet()).generate();
        GzslDataset ds = GzslDataset.open(dir);
        assertEquals(10, ds.seenLabels().size());
        assertEquals(4, ds.unseenLabels().size());
        assertEquals(64, ds.classVectorDim());
        assertFalse(ds.horizontalFlipPreservesLabels(), "laterality is in the labels");
        assertEquals(40, ds.split("train").size());
        assertEquals(10, ds.split("val").size());
        assertEquals(40, ds.split("test").size());
        Set<String> unseen = Set.copyOf(ds.unseenLabels());
        for (String split : List.of("train", "val")) {
            for (Sample s : ds.split(split)) {
                assertFalse(s.labels().stream().anyMatch(unseen::contains), s + " in " + split);
            }
        }
        boolean anyUnseenInTest = false;
        for (String split : List.of("train", "val", "test")) {
            for (Sample s : ds.requireImages(split)) {
                assertFalse(s.labels().isEmpty());
                anyUnseenInTest |= split.equals("test") && s.labels().stream().anyMatch(unseen::contains);
                BufferedImage img = ImageIO.read(s.imagePath().toFile());
                assertEquals(32, img.getWidth());
                assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
            }
        }
        assertTrue(anyUnseenInTest);
        assertNotNull(ImageIO.read(dir.resolve(PhantomGenerator.PREVIEW_FILE).toFile()));
        assertTrue(Files.readString(dir.resolve("dataset.json")).contains("\"generator\" : \"triage-phantom\""));
    }

    @Test
    void filmsLookLikeChestRadiographs() {
        // Dark lungs either side of a bright mediastinum, air darker than the body.
        byte[] px = PhantomGenerator.render(List.of(), new SplittableRandom(1), 64);
        double lungRight = mean(px, 64, 14, 24, 24, 36);
        double lungLeft = mean(px, 64, 40, 50, 24, 36);
        double mediastinum = mean(px, 64, 30, 34, 20, 40);
        double abdomen = mean(px, 64, 20, 44, 58, 62);
        assertTrue(mediastinum > lungRight + 40 && mediastinum > lungLeft + 40,
                "mediastinum " + mediastinum + " lungs " + lungRight + "/" + lungLeft);
        assertTrue(abdomen > lungRight + 40, "abdomen " + abdomen);
    }

    @Test
    void eachFindingIsVisibleButSubtleAndOnTheRightSide() {
        for (PhantomClass c : PhantomCatalog.CLASSES) {
            byte[] base = PhantomGenerator.render(List.of(), new SplittableRandom(9), 64);
            byte[] with = PhantomGenerator.render(List.of(c), new SplittableRandom(9), 64);
            double changedLeftHalf = 0;
            double changedRightHalf = 0;
            int maxDiff = 0;
            for (int i = 0; i < base.length; i++) {
                int d = Math.abs((with[i] & 255) - (base[i] & 255));
                maxDiff = Math.max(maxDiff, d);
                if (i % 64 < 32) {
                    changedLeftHalf += d;
                } else {
                    changedRightHalf += d;
                }
            }
            assertTrue(maxDiff >= 15, c.name() + " is invisible: max change " + maxDiff);
            assertTrue(maxDiff <= 90, c.name() + " is not subtle: max change " + maxDiff);
            // Patient's right is the image's left half.
            switch (c.attribute("laterality")) {
                case "right" -> assertTrue(changedLeftHalf > 5 * changedRightHalf, c.name());
                case "left" -> assertTrue(changedRightHalf > 5 * changedLeftHalf, c.name());
                default -> assertTrue(changedLeftHalf > 0.2 * changedRightHalf && changedRightHalf > 0.2 * changedLeftHalf, c.name());
            }
        }
    }

    private static double mean(byte[] px, int size, int x0, int x1, int y0, int y1) {
        double sum = 0;
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += px[y * size + x] & 255;
                n++;
            }
        }
        return sum / n;
    }
}
