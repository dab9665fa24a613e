package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainedModel;

/**
 * Thresholds calibrated on a dataset's val split: every seen label gets one, and recomputing the
 * val specificity independently (preprocess, embed, distance) gives at least the target. Metrics
 * come from the model directory's evaluation report.
 */
class CalibrationTest {
    @TempDir
    Path tmp;

    @Test
    void thresholdsMeetTargetOnValidationAndMetricsComeFromTheReport() throws Exception {
        List<String> seen = List.of("a", "b", "c");
        Path modelDir = RandomModelDir.create(tmp.resolve("model"), ArchSpec.densenetTiny(), PreprocessSpec.imagenet(36, 32), seen,
                List.of("d"), 12, 4, true);
        Files.writeString(modelDir.resolve("evaluation.json"),
                "{\"perClass\":{\"a\":0.7,\"b\":0.6,\"c\":null,\"d\":0.55},\"seenMean\":0.65,\"unseenMean\":0.55,\"harmonicMean\":0.596}");
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("images"));
        Random rng = new Random(1);
        StringBuilder labels = new StringBuilder("image,split,labels\n");
        List<List<String>> truth = new ArrayList<>();
        int n = 60;
        for (int i = 0; i < n; i++) {
            String id = "img" + i;
            Files.write(data.resolve("images/" + id + ".png"), ExportedModelLoadTest.syntheticPng(40 + i % 7, 44, i));
            List<String> ls = new ArrayList<>();
            for (String l : seen) {
                if (rng.nextInt(3) == 0) {
                    ls.add(l);
                }
            }
            if (ls.isEmpty()) {
                ls.add(seen.get(i % 3)); // the dataset format requires at least one label per image
            }
            truth.add(ls);
            labels.append(id).append(",val,").append(String.join("|", ls)).append('\n');
        }
        Files.writeString(data.resolve("labels.csv"), labels);
        StringBuilder vectors = new StringBuilder();
        for (String l : List.of("a", "b", "c", "d")) {
            vectors.append(vectors.length() == 0 ? "" : ",").append('"').append(l).append("\":[");
            for (int k = 0; k < 12; k++) {
                vectors.append(k == 0 ? "" : ",").append(rng.nextGaussian());
            }
            vectors.append(']');
        }
        Files.writeString(data.resolve("classes.json"),
                "{\"seen\":[\"a\",\"b\",\"c\"],\"unseen\":[\"d\"],\"encoder\":\"test\",\"vectors\":{" + vectors + "}}");

        ModelManifest m;
        try (TrainedModel model = TrainedModel.load(modelDir)) {
            m = ModelExporter.export(model, modelDir, new ModelExporter.Options("cal", "v1", DjlBlockExporter.BatchNormMode.FOLD, 0.9,
                    data, 0, null)).manifest();
        }
        assertEquals(0.9, m.targetSpecificity());
        assertEquals(seen, List.copyOf(m.thresholds().keySet()));
        assertEquals(0.65, m.metrics().get("seenMean"));
        assertEquals(0.7, m.metrics().get("perClass.a"));
        assertTrue(!m.metrics().containsKey("perClass.c"), "undefined AUROC (null) is left out");

        try (ExportedModel onnx = ExportedModel.load(modelDir, ExportedModel.DevicePreference.CPU);
             TrainedModel model = TrainedModel.load(modelDir)) {
            ImagePreprocessor pre = new ImagePreprocessor(m.preprocessSpec());
            float[][] cls = onnx.projectClassVectors(model.classVectors(seen));
            DistanceFunction d = DistanceFunction.fromId(m.distance());
            int[] neg = new int[3];
            int[] fp = new int[3];
            for (int i = 0; i < n; i++) {
                float[] e = onnx.embedImages(new float[][] {pre.preprocess(Files.readAllBytes(data.resolve("images/img" + i + ".png")))})[0];
                float[] dist = d.computeAll(e, cls);
                for (int j = 0; j < 3; j++) {
                    if (!truth.get(i).contains(seen.get(j))) {
                        neg[j]++;
                        if (dist[j] <= m.thresholds().get(seen.get(j))) {
                            fp[j]++;
                        }
                    }
                }
            }
            for (int j = 0; j < 3; j++) {
                double spec = 1 - (double) fp[j] / neg[j];
                assertTrue(spec >= 0.9, seen.get(j) + ": val specificity " + spec + " < target 0.9");
            }
        }
    }
}
