package org.triage.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainHyper;

/** The seeds benchmark at toy scale (tiny phantoms, the tiny DenseNet, one epoch): the table's structure and exact repetition. */
class SeedBenchmarkTest {
    @TempDir
    Path tmp;

    private static SeedBenchmark toy(PrintStream err) {
        TrainHyper h = new TrainHyper(5e-4, 3e-4, 0.9, 0.999, 8, 1, 6, 0.1, 2f, 0.03f, 1f, true, false, 7, 0, 0.995, 0);
        TrainSettings s = new TrainSettings(ArchSpec.byName("densenet-tiny"), PreprocessSpec.imagenet(32, 28), DistanceFunction.WEIGHTED_EUCLIDEAN, h, 2,
                false, 0);
        return new SeedBenchmark(s, new SeedBenchmark.PhantomSize(48, 24, 48, 32), List.of(21L, 22L), List.of(1L, 2L), 3,
                Evaluator.ControlKind.DEFAULT, err);
    }

    @Test
    void writesTheSeedsTableAndRepeatsExactly() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path a = toy(quiet).run(tmp.resolve("a"));
        Path b = toy(quiet).run(tmp.resolve("b"));
        ObjectMapper json = new ObjectMapper();
        JsonNode ja = json.readTree(tmp.resolve("a").resolve(SeedBenchmark.JSON_FILE).toFile());
        JsonNode jb = json.readTree(tmp.resolve("b").resolve(SeedBenchmark.JSON_FILE).toFile());
        assertEquals(4, ja.get("runs").size(), "2 phantom seeds x 2 training seeds");
        for (String k : List.of("seenMean", "unseenMean", "harmonicMean", "controlUnseenMeanAverage")) {
            assertTrue(ja.get("summary").get(k).has("mean") && ja.get("summary").get(k).has("sd"), k);
        }
        JsonNode run0 = ja.get("runs").get(0);
        assertEquals(21, run0.get("phantomSeed").asInt());
        assertEquals(1, run0.get("trainSeed").asInt());
        assertEquals(14, run0.get("perClass").size());
        // everything but the wall-clock timing repeats exactly
        assertEquals(ja.get("runs"), jb.get("runs"));
        assertEquals(ja.get("summary"), jb.get("summary"));
        String ta = results(Files.readString(a));
        assertEquals(ta, results(Files.readString(b)));
        long rows = ta.lines().filter(l -> l.startsWith("| 2")).count();
        assertEquals(8, rows, "4 runs in the -distance table and 4 in the centred one: " + ta);
        assertTrue(ta.contains("| **mean** |") && ta.contains("| **sd** |"), ta);
        assertTrue(ta.contains("control (3 draws, sd)"), ta);
        // each run also left its report (scores.csv for a recomputation) and the control's
        assertTrue(Files.isRegularFile(tmp.resolve("a").resolve("model-p21-t1").resolve("report").resolve("scores.csv")));
        assertTrue(Files.isRegularFile(tmp.resolve("a").resolve("model-p22-t2").resolve("control").resolve("report.json")));
        assertTrue(ta.contains("## Scores centred per image"), ta);
        assertTrue(ja.get("summary").has("centredControlUnseenMeanAverage"));
        // evaluation only over the finished models gives the same table
        toy(quiet).reuseModels(true).run(tmp.resolve("a"));
        JsonNode jr = json.readTree(tmp.resolve("a").resolve(SeedBenchmark.JSON_FILE).toFile());
        assertEquals(ja.get("runs"), jr.get("runs"));
        assertTrue(jr.get("timing").has("phantom-21") && !jr.get("timing").has("train-p21-t1"), "no run was trained again");
    }

    /** The Markdown without the timing section (wall clock differs between runs by nature). */
    private static String results(String md) {
        int i = md.indexOf("## Timing");
        return i < 0 ? md : md.substring(0, i);
    }
}
