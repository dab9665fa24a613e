package org.triage.trainer.train;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.eval.GzslEvaluation;

/**
 * GZSL evaluation of an exported (ONNX) release, as the stream runs it: used to score the model in
 * service on a new model's test films, so both are measured on the same films. Every label of the
 * dataset is scored; the release's own seen labels count as seen, all others as unseen.
 */
public final class ExportedModelEvaluator {
    private ExportedModelEvaluator() {
    }

    /** @throws IllegalArgumentException when the release cannot score the dataset's class vectors */
    public static EvaluationReport evaluate(ExportedModel model, GzslDataset data, String split, int threads, int batchSize) {
        ModelManifest m = model.manifest();
        if (m.classVectorDim() != data.classVectorDim()) {
            throw new IllegalArgumentException("it takes " + m.classVectorDim() + "-dimensional class vectors, the prototypes have "
                    + data.classVectorDim());
        }
        List<String> labels = data.allLabels();
        Set<String> seen = new HashSet<>(m.seenLabels());
        Set<String> unseen = new HashSet<>();
        for (String l : labels) {
            if (!seen.contains(l)) {
                unseen.add(l);
            }
        }
        float[][] vectors = new float[labels.size()][];
        for (int i = 0; i < labels.size(); i++) {
            vectors[i] = data.classVector(labels.get(i));
        }
        List<Sample> samples = data.requireImages(split);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        try {
            ImageSource src = new ImageSource(samples, new ImagePreprocessor(m.preprocessSpec()), pool);
            float[][] imgEmb = Scoring.embed(src, model::embedImages, batchSize, pool);
            float[][] clsEmb = model.projectClassVectors(vectors);
            float[][] scores = Scoring.scores(imgEmb, clsEmb, DistanceFunction.fromId(m.distance()));
            EvaluationReport report = GzslEvaluation.evaluate(samples, labels, unseen, scores);
            report.putExtra("split", split);
            report.putExtra("model", m.name() + ":" + m.version());
            return report;
        } finally {
            pool.shutdownNow();
        }
    }
}
