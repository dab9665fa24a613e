package org.triage.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.data.SharedData;
import picocli.CommandLine;

/**
 * The paper's configuration (DenseNet121, 256 -> 224 px crops, BioBERT class vectors) through the
 * same train / evaluate / export commands a user runs on ChestX-ray14, on the nine genuine images
 * of ../shared/data: shapes and pipeline only (one epoch on four images says nothing about accuracy).
 * The folder is the official layout: the label file and images are linked, not copied.
 */
class ChestXray14PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void densenet121At224TrainsEvaluatesAndExportsOnRealImages(@TempDir Path dir) throws Exception {
        Path nih = SharedData.requireNih();
        Path data = Files.createDirectories(dir.resolve("nih"));
        Files.createSymbolicLink(data.resolve("Data_Entry_2017_v2020.csv.gz"), nih.resolve("Data_Entry_2017_v2020.csv.gz").toAbsolutePath());
        Files.createSymbolicLink(data.resolve("images"), nih.resolve("images").toAbsolutePath());
        Files.createSymbolicLink(data.resolve("class_vectors.json"),
                SharedData.dataDir().resolve("biobert/nih14_biobert_1024.json").toAbsolutePath());
        // The seven labelled images (the two "No Finding" films are dropped by the paper's rules anyway);
        // 00000013_004 carries Emphysema, an unseen class, so it can only be a test image.
        String split = String.join("\n", "image,split",
                "00000001_000.png,train", "00000003_000.png,train", "00000013_018.png,train", "00000013_021.png,train",
                "00000032_015.png,val",
                "00000013_004.png,test", "00000013_035.png,test",
                "00027426_000.png,test", "00000013_019.png,test") + "\n";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(data.resolve("gzsl_split_reference.csv.gz")))) {
            out.write(split.getBytes(StandardCharsets.UTF_8));
        }
        Path model = dir.resolve("model");
        String trainOut = run(new TrainCommand(), "--data", data.toString(), "--out", model.toString(), "--arch", "densenet121", "--resize", "256",
                "--image-size", "224", "--lr", "1e-4", "--ema", "0", "--epochs", "1", "--batch-size", "2", "--no-progress");
        assertTrue(trainOut.contains("selected epoch 1"), trainOut);
        JsonNode config = JSON.readTree(model.resolve("config.json").toFile());
        assertEquals("densenet121", config.at("/arch/name").asText());
        assertEquals(224, config.at("/preprocess/crop").asInt());
        assertEquals(1024, config.at("/classVectorDim").asInt());
        assertEquals(10, config.at("/seenLabels").size());
        assertEquals(4, config.at("/unseenLabels").size());

        Path report = dir.resolve("eval/report.json");
        run(new EvaluateCommand(), "--model", model.toString(), "--data", data.toString(), "--report", report.toString(), "--batch-size", "2");
        JsonNode r = JSON.readTree(report.toFile());
        assertEquals(2, r.get("images").asInt(), "the two 'No Finding' test films must be dropped");
        assertEquals(14, r.get("perClass").size());
        // Effusion (seen) and Emphysema (unseen) each have one positive and one negative among the two test films
        assertTrue(r.at("/perClass/Effusion").isNumber(), r.toString());
        assertTrue(r.at("/perClass/Emphysema").isNumber(), r.toString());
        assertTrue(r.get("undefinedClasses").size() >= 10, r.toString());
        for (String f : new String[] {"scores.csv", "truth.csv", "roc.png"}) {
            assertTrue(Files.size(report.resolveSibling(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(report.resolveSibling("scores.csv")).size());

        // export reloads the graphs in ONNX Runtime and fails when they differ from DJL
        run(new ExportCommand(), "--model", model.toString(), "--release-version", "nih-pipeline-test");
        JsonNode manifest = JSON.readTree(model.resolve("model.json").toFile());
        assertTrue(manifest.toString().contains("224"), manifest.toString());
        assertTrue(Files.size(model.resolve("visual.onnx")) > 25_000_000L, "DenseNet121's weights are ~28 MB");
    }

    private static String run(Object command, String... args) throws IOException {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = new CommandLine(command).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        return text;
    }
}
