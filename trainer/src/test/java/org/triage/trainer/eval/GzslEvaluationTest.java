package org.triage.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.data.Sample;

class GzslEvaluationTest {
    private static final List<String> LABELS = List.of("A", "B", "C", "U1", "U2");
    private static final Set<String> UNSEEN = Set.of("U1", "U2");

    /** Images whose score for their own labels is noisy-high: a realistic, imperfect model. */
    private static float[][] scoresFor(List<Sample> samples, long seed) {
        Random rng = new Random(seed);
        float[][] s = new float[samples.size()][LABELS.size()];
        for (int i = 0; i < samples.size(); i++) {
            for (int j = 0; j < LABELS.size(); j++) {
                s[i][j] = (float) (rng.nextGaussian() + (samples.get(i).labels().contains(LABELS.get(j)) ? 1.0 + 0.3 * j : 0));
            }
        }
        return s;
    }

    private static List<Sample> samples(int n, long seed) {
        Random rng = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Set<String> l = Set.of(LABELS.get(rng.nextInt(LABELS.size())));
            out.add(new Sample("img" + i, Path.of("img" + i + ".png"), l));
        }
        return out;
    }

    @Test
    void perClassMeansAndHarmonic() {
        List<Sample> samples = samples(300, 1);
        float[][] scores = scoresFor(samples, 2);
        EvaluationReport r = GzslEvaluation.evaluate(samples, LABELS, UNSEEN, scores);
        for (int j = 0; j < LABELS.size(); j++) {
            float[] col = new float[samples.size()];
            boolean[] t = new boolean[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                col[i] = scores[i][j];
                t[i] = samples.get(i).labels().contains(LABELS.get(j));
            }
            assertEquals(Auroc.auroc(col, t), r.perClass().get(LABELS.get(j)), 0);
        }
        double s = (r.perClass().get("A") + r.perClass().get("B") + r.perClass().get("C")) / 3;
        double u = (r.perClass().get("U1") + r.perClass().get("U2")) / 2;
        assertEquals(s, r.seenMean(), 1e-12);
        assertEquals(u, r.unseenMean(), 1e-12);
        assertEquals(2 * s * u / (s + u), r.harmonicMean(), 1e-12);
        assertTrue(r.seenMean() > 0.6 && r.seenMean() < 0.95, "a noisy model: " + r.seenMean());
    }

    @Test
    void undefinedClassIsReportedNotAveraged(@TempDir Path dir) throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            samples.add(new Sample("i" + i, Path.of("x"), Set.of(i % 2 == 0 ? "A" : "U1")));
        }
        EvaluationReport r = GzslEvaluation.evaluate(samples, LABELS, UNSEEN, scoresFor(samples, 3));
        assertEquals(List.of("B", "C", "U2"), r.undefinedClasses());
        assertEquals(r.perClass().get("A"), r.seenMean(), 0);
        assertEquals(r.perClass().get("U1"), r.unseenMean(), 0);
        Path report = dir.resolve("report.json");
        r.write(report);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertTrue(json.get("perClass").get("B").isNull(), "JSON has no NaN: undefined is null");
        assertEquals(3, json.get("undefinedClasses").size());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        r.printTable(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("AUROC undefined"), buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesContractFilesThatRecomputeTheSameMetrics(@TempDir Path dir) throws Exception {
        List<Sample> samples = samples(200, 4);
        EvaluationReport r = GzslEvaluation.evaluate(samples, LABELS, UNSEEN, scoresFor(samples, 5));
        r.putExtra("model", "test-model");
        Path report = dir.resolve("out/report.json");
        r.write(report);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (String key : List.of("perClass", "seenMean", "unseenMean", "harmonicMean")) {
            assertNotNull(json.get(key), key);
        }
        assertEquals("test-model", json.get("model").asText());
        assertEquals(r.harmonicMean(), json.get("harmonicMean").asDouble(), 0);

        List<String> scores = Files.readAllLines(dir.resolve("out/scores.csv"));
        List<String> truth = Files.readAllLines(dir.resolve("out/truth.csv"));
        assertEquals("image,A,B,C,U1,U2", scores.get(0));
        assertEquals(scores.get(0), truth.get(0));
        assertEquals(201, scores.size());
        assertEquals(201, truth.size());
        for (int j = 0; j < LABELS.size(); j++) {
            float[] col = new float[200];
            boolean[] t = new boolean[200];
            for (int i = 0; i < 200; i++) {
                String[] s = scores.get(i + 1).split(",");
                String[] tr = truth.get(i + 1).split(",");
                assertEquals(s[0], tr[0]);
                col[i] = Float.parseFloat(s[j + 1]);
                t[i] = tr[j + 1].equals("1");
            }
            assertEquals(r.perClass().get(LABELS.get(j)), Auroc.auroc(col, t), 0, "recomputed from the CSVs");
        }
        BufferedImage roc = ImageIO.read(dir.resolve("out/roc.png").toFile());
        assertNotNull(roc);
        assertTrue(roc.getWidth() >= 800);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        r.printTable(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("Harmonic mean"), table);
        assertTrue(table.contains("U2") && table.contains("unseen"), table);
    }

    @Test
    void rejectsMismatchedShapes() {
        List<Sample> samples = samples(3, 6);
        assertThrows(IllegalArgumentException.class, () -> GzslEvaluation.evaluate(samples, LABELS, UNSEEN, new float[2][5]));
        assertThrows(IllegalArgumentException.class, () -> GzslEvaluation.evaluate(samples, LABELS, UNSEEN, new float[3][4]));
        assertThrows(IllegalArgumentException.class, () -> GzslEvaluation.evaluate(samples, LABELS, Set.of("Z"), new float[3][5]));
        assertThrows(IllegalArgumentException.class, () -> EvaluationReportAccess.putContractKey(
                GzslEvaluation.evaluate(samples, LABELS, UNSEEN, scoresFor(samples, 7))));
    }

    /** Overriding a contract key through putExtra must fail. */
    private static final class EvaluationReportAccess {
        static void putContractKey(EvaluationReport r) {
            r.putExtra("seenMean", 1.0);
        }
    }
}
