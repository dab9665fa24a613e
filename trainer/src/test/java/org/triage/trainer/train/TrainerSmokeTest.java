package org.triage.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.ModelConfig;
import org.triage.trainer.model.TrainHyper;
import org.triage.trainer.model.TrainedModel;

/** Tiny end-to-end runs: a generated 16 px dataset, the tiny DenseNet, a few steps. */
class TrainerSmokeTest {
    static final List<String> SEEN = List.of("A", "B", "C");
    static final String UNSEEN = "U";

    @TempDir
    static Path tmp;
    static GzslDataset data;

    /** A bright block in a class-specific quadrant; U combines A's and C's blocks. */
    @BeforeAll
    static void writeDataset() throws Exception {
        Path dir = tmp.resolve("data");
        Files.createDirectories(dir.resolve("images"));
        Random r = new Random(11);
        StringBuilder labels = new StringBuilder("image,split,labels\n");
        int id = 0;
        for (String split : new String[] {"train", "val", "test"}) {
            int n = split.equals("train") ? 32 : 8;
            for (int i = 0; i < n; i++) {
                String label = split.equals("test") && i % 4 == 3 ? UNSEEN : SEEN.get(i % 3);
                BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        int v = 60 + r.nextInt(20);
                        boolean a = x < 8 && y < 8;
                        boolean b = x >= 8 && y >= 8;
                        boolean c = x >= 8 && y < 8;
                        boolean on = switch (label) {
                            case "A" -> a;
                            case "B" -> b;
                            case "C" -> c;
                            default -> a || c;
                        };
                        img.getRaster().setSample(x, y, 0, on ? v + 120 : v);
                    }
                }
                String name = String.format("im%03d", id++);
                ImageIO.write(img, "png", dir.resolve("images").resolve(name + ".png").toFile());
                labels.append(name).append(',').append(split).append(',').append(label).append('\n');
            }
        }
        Files.writeString(dir.resolve("labels.csv"), labels);
        Files.writeString(dir.resolve("classes.json"), """
                {"seen":["A","B","C"],"unseen":["U"],"encoder":"test-attributes",
                 "vectors":{"A":[1,0,0,0.1,0,0],"B":[0,1,0,0,0.1,0],"C":[0,0,1,0,0,0.1],"U":[1,0,1,0.1,0,0.1]}}
                """);
        data = GzslDataset.open(dir);
    }

    private static TrainSettings settings(int epochs) {
        return settings(epochs, 0, 0);
    }

    private static TrainSettings settings(int epochs, double ema, double jitter) {
        TrainHyper h = new TrainHyper(1e-2, 3e-4, 0.9, 0.999, 8, epochs, 10, 0.1, 2f, 0.03f, 1f, true, false, 7, 0, ema, jitter);
        return new TrainSettings(ArchSpec.densenetTiny(), TINY_PRE, DistanceFunction.WEIGHTED_EUCLIDEAN, h, 1, false, 0);
    }

    private static final PreprocessSpec TINY_PRE = new PreprocessSpec(16, 14, 1, new float[] {0.5f}, new float[] {0.25f});

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void lossDecreasesAndTheModelDirectoryIsComplete() throws Exception {
        Path out = tmp.resolve("m-loss");
        GzslTrainer.Result r = new GzslTrainer(settings(4), QUIET).train(data, out, false);
        List<Double> l = r.epochLosses();
        assertEquals(4, l.size());
        assertTrue(l.get(3) < l.get(0), "loss did not decrease: " + l);
        assertTrue(Files.isRegularFile(out.resolve(ModelConfig.PARAMS_FILE)));
        assertEquals(4, Files.readAllLines(out.resolve(GzslTrainer.LOG_FILE)).size());
        ModelConfig c = ModelConfig.read(out);
        assertEquals(1f, c.hyper().delta());
        assertEquals(List.of("U"), c.unseenLabels());
        assertEquals(6, c.classVectors().get("U").length);
        try (TrainedModel m = TrainedModel.load(out)) {
            EvaluationReport rep = Evaluator.evaluate(m, data, "test", false, 1, 1, 4);
            assertEquals(4, rep.perClass().size());
            assertTrue(rep.seenMean() >= 0 && rep.seenMean() <= 1);
            float[][] e = m.projectClassVectors(new float[][] {data.classVector("A")});
            assertEquals(ArchSpec.densenetTiny().embeddingDim(), e[0].length);
        }
    }

    @Test
    void resumeReproducesAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("m-straight");
        Path resumed = tmp.resolve("m-resumed");
        new GzslTrainer(settings(2), QUIET).train(data, straight, false);
        new GzslTrainer(settings(1), QUIET).train(data, resumed, false);
        GzslTrainer.Result r = new GzslTrainer(settings(2), QUIET).train(data, resumed, true);
        assertEquals(1, r.epochsRun());
        Path a = straight.resolve(GzslTrainer.CHECKPOINTS).resolve("epoch-002.params");
        Path b = resumed.resolve(GzslTrainer.CHECKPOINTS).resolve("epoch-002.params");
        ModelConfig c = ModelConfig.read(straight);
        float[][] probe = new float[2][c.preprocess().tensorSize()];
        Random rng = new Random(1);
        for (float[] p : probe) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) rng.nextGaussian();
            }
        }
        try (TrainedModel ma = TrainedModel.load(straight, c, a); TrainedModel mb = TrainedModel.load(resumed, c, b)) {
            float[][] ea = ma.embedImages(probe);
            float[][] eb = mb.embedImages(probe);
            for (int i = 0; i < ea.length; i++) {
                assertArrayEquals(ea[i], eb[i], 1e-4f);
            }
            assertFalse(Float.isNaN(ea[0][0]));
        }
        assertEquals(2, Files.readAllLines(resumed.resolve(GzslTrainer.LOG_FILE)).size());
    }

    @Test
    void averagedWeightsAndJitterResumeLikeAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("ema-straight");
        Path resumed = tmp.resolve("ema-resumed");
        new GzslTrainer(settings(2, 0.9, 0.2), QUIET).train(data, straight, false);
        new GzslTrainer(settings(1, 0.9, 0.2), QUIET).train(data, resumed, false);
        new GzslTrainer(settings(2, 0.9, 0.2), QUIET).train(data, resumed, true);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDList a = ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(straight.resolve(GzslTrainer.CHECKPOINTS).resolve("epoch-002.ema")));
            ai.djl.ndarray.NDList b = ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(resumed.resolve(GzslTrainer.CHECKPOINTS).resolve("epoch-002.ema")));
            assertEquals(a.size(), b.size());
            assertEquals(a.get(0).toLongArray()[0], b.get(0).toLongArray()[0], "update count");
            for (int i = 1; i < a.size(); i++) {
                assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), 1e-4f, "averaged parameter " + i);
            }
            // the saved model is the averaged network, not the raw weights of the selected epoch
            ModelConfig c = ModelConfig.read(straight);
            int sel = c.selectedEpoch();
            byte[] raw = Files.readAllBytes(straight.resolve(GzslTrainer.CHECKPOINTS).resolve(GzslTrainer.name(sel) + ".params"));
            assertFalse(java.util.Arrays.equals(raw, Files.readAllBytes(straight.resolve(ModelConfig.PARAMS_FILE))));
        }
    }

    @Test
    void nonFiniteStepsAreSkippedAndARunOfThemStops() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.triage.trainer.model.CrossModalNet net = new org.triage.trainer.model.CrossModalNet(ArchSpec.densenetTiny());
            net.initialize(m, 1, 14, 6);
            float[][] vectors = {data.classVector("A"), data.classVector("B"), data.classVector("C")};
            TrainStep step = new TrainStep(net, m, vectors, new org.triage.trainer.model.CmDmlLoss(2f, 0.03f, 1f),
                    DistanceFunction.WEIGHTED_EUCLIDEAN, TINY_PRE, 0.9, 0.999);
            int batch = 4;
            float[] y = new float[batch * 3];
            for (int b = 0; b < batch; b++) {
                y[b * 3 + b % 3] = 1;
            }
            Random rng = new Random(5);
            float[] x = new float[batch * TINY_PRE.tensorSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            float[] bad = x.clone();
            bad[3] = Float.NaN;
            float[] before = firstWeights(net);
            assertTrue(Double.isNaN(step.step(bad, y, batch, 0, 1e-2, 3e-4)));
            assertArrayEquals(before, firstWeights(net), "a skipped step must not move the weights");
            double ok = step.step(x, y, batch, 0, 1e-2, 3e-4);
            assertTrue(Double.isFinite(ok));
            float[] after = firstWeights(net);
            assertFalse(java.util.Arrays.equals(before, after));
            for (float v : after) {
                assertTrue(Float.isFinite(v), "NaN gradients of the skipped step leaked into the update");
            }
            assertEquals(1, step.skippedSteps());
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> {
                for (int i = 0; i < TrainStep.MAX_CONSECUTIVE_SKIPS; i++) {
                    step.step(bad, y, batch, 0, 1e-2, 3e-4);
                }
            });
            assertTrue(e.getMessage().contains("10 steps in a row"), e.getMessage());
        }
    }

    private static float[] firstWeights(org.triage.trainer.model.CrossModalNet net) {
        return org.triage.trainer.model.ModelInventory.parameters(net).get(0).parameter().getArray().toFloatArray();
    }

    @Test
    void intensityJitterIsBoundedSeededAndOffAtZero() {
        float[] px = new float[64];
        for (int i = 0; i < px.length; i++) {
            px[i] = i / 63f;
        }
        org.triage.model.preprocess.ImagePreprocessor.Resized r = new org.triage.model.preprocess.ImagePreprocessor.Resized(px, 8, 8);
        Random untouched = new Random(9);
        assertTrue(IntensityJitter.apply(r, 0, untouched) == r);
        assertEquals(new Random(9).nextLong(), untouched.nextLong(), "strength 0 must not draw from the augmentation RNG");
        float[] a = IntensityJitter.apply(r, 0.3, new Random(4)).pixels();
        float[] b = IntensityJitter.apply(r, 0.3, new Random(4)).pixels();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, px));
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] >= 0 && a[i] <= 1);
            if (i > 0) {
                assertTrue(a[i] >= a[i - 1], "jitter must keep the order of intensities");
            }
        }
    }

    @Test
    void ablationWritesTheThreeTablesAndSharesRunsBetaCannotChange() throws Exception {
        Path out = tmp.resolve("ablation");
        Path table = new AblationRunner(settings(1), 1, QUIET).run(data, out);
        String md = Files.readString(table);
        for (String t : new String[] {"## Table 3 (distance)", "## Table 4 (alpha)", "## Table 5 (beta)"}) {
            assertTrue(md.contains(t), md);
        }
        // 5 distances + 4 alphas + 4 betas
        assertEquals(13, md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| setting")).count(), md);
        // 5 distances, alpha 0, 1 and 3 (alpha 2 is the weighted-euclidean row), no extra run for beta in a 1-epoch run
        try (var dirs = Files.list(out)) {
            assertEquals(8, dirs.filter(Files::isDirectory).count());
        }
    }

    @Test
    void controlDrawsAverageIndependentRandomVectors() throws Exception {
        Path out = tmp.resolve("m-control");
        new GzslTrainer(settings(1), QUIET).train(data, out, false);
        try (TrainedModel m = TrainedModel.load(out)) {
            EvaluationReport one = Evaluator.evaluate(m, data, "test", true, 5, 1, 1, 4);
            EvaluationReport many = Evaluator.evaluate(m, data, "test", true, 5, 4, 1, 4);
            assertEquals(one.unseenMean(), many.unseenMean(), 0.0, "the report's metrics are the --seed draw");
            double[] means = (double[]) many.extra("controlUnseenMeans");
            assertEquals(4, means.length);
            assertEquals(one.unseenMean(), means[0], 0.0);
            assertEquals(Evaluator.evaluate(m, data, "test", true, 6, 1, 1, 4).unseenMean(), means[1], 0.0, "draw 2 is --seed + 1");
            assertEquals(java.util.Arrays.stream(means).average().getAsDouble(), (Double) many.extra("controlUnseenMeanAverage"), 1e-12);
            assertTrue(one.extra("controlUnseenMeans") == null);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Evaluator.evaluate(m, data, "test", true, 5, 0, 1, 4));
        }
    }

    @Test
    void controlVectorsKeepTheNorm() {
        float[] v = {3, 4};
        float[] r = Evaluator.randomSameNorm(v, new Random(2));
        assertEquals(5.0, Math.hypot(r[0], r[1]), 1e-5);
    }
}
