package org.triage.trainer.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.eval.GzslEvaluation;
import org.triage.trainer.model.TrainedModel;

/**
 * Generalized zero-shot evaluation of a trained model on a split: every image scored for every
 * label (seen and unseen) by -distance between its embedding and the label's projected vector.
 */
public final class Evaluator {
    private Evaluator() {}

    /**
     * @param controlRandomUnseen replace each unseen class vector by a random Gaussian vector of the
     *                            same L2 norm (seeded): the unseen mean must then fall to chance,
     *                            which shows that zero-shot transfer comes from the semantics
     */
    public static EvaluationReport evaluate(TrainedModel model, GzslDataset data, String split, boolean controlRandomUnseen, long seed,
            int threads, int batchSize) {
        List<String> seen = model.config().seenLabels();
        List<String> unseenLabels = model.config().unseenLabels();
        Set<String> datasetLabels = new HashSet<>(data.allLabels());
        List<String> labels = new ArrayList<>(seen);
        labels.addAll(unseenLabels);
        for (String l : labels) {
            if (!datasetLabels.contains(l)) {
                throw new IllegalArgumentException("the model's label '" + l + "' is not a class of the dataset " + data.root());
            }
        }
        if (data.classVectorDim() != model.config().classVectorDim()) {
            throw new IllegalArgumentException("the dataset's class vectors have " + data.classVectorDim() + " dimensions, the model takes "
                    + model.config().classVectorDim());
        }
        float[][] vectors = new float[labels.size()][];
        Random rng = new Random(seed);
        Set<String> unseen = Set.copyOf(unseenLabels);
        for (int i = 0; i < labels.size(); i++) {
            float[] v = data.classVector(labels.get(i));
            vectors[i] = controlRandomUnseen && unseen.contains(labels.get(i)) ? randomSameNorm(v, rng) : v;
        }
        List<Sample> samples = data.requireImages(split);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        try {
            ImageSource src = new ImageSource(samples, model.preprocessor(), pool);
            float[][] imgEmb = Scoring.embed(src, model::embedImages, batchSize, pool);
            float[][] clsEmb = model.projectClassVectors(vectors);
            float[][] scores = Scoring.scores(imgEmb, clsEmb, model.config().distanceFunction());
            EvaluationReport report = GzslEvaluation.evaluate(samples, labels, unseen, scores);
            report.putExtra("split", split);
            report.putExtra("distance", model.config().distance());
            report.putExtra("controlRandomUnseen", controlRandomUnseen);
            if (controlRandomUnseen) {
                report.putExtra("controlSeed", seed);
            }
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    static float[] randomSameNorm(float[] v, Random rng) {
        double norm = 0;
        for (float f : v) {
            norm += (double) f * f;
        }
        norm = Math.sqrt(norm);
        float[] r = new float[v.length];
        double rn = 0;
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rng.nextGaussian();
            rn += (double) r[i] * r[i];
        }
        double scale = norm / Math.max(1e-12, Math.sqrt(rn));
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (r[i] * scale);
        }
        return r;
    }
}
