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
        return evaluate(model, data, split, controlRandomUnseen, seed, 1, threads, batchSize);
    }

    /**
     * @param controlDraws with the control, how many independent draws of random vectors (seeds seed, seed+1, ...) to
     *                     score; the report's metrics are the first draw's (the single-draw control of {@code --seed}),
     *                     and the extras {@code controlUnseenMeans}, {@code controlUnseenMeanAverage} and
     *                     {@code controlUnseenMeanSd} hold all draws. Four random vectors scatter by about +-0.1 from
     *                     one draw to the next, so one draw says little about a model; the average over draws does.
     */
    public static EvaluationReport evaluate(TrainedModel model, GzslDataset data, String split, boolean controlRandomUnseen, long seed,
            int controlDraws, int threads, int batchSize) {
        if (controlDraws < 1 || controlDraws > 1000) {
            throw new IllegalArgumentException("--control-draws must be between 1 and 1000, got " + controlDraws);
        }
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
        Set<String> unseen = Set.copyOf(unseenLabels);
        float[][] vectors = classVectors(data, labels, unseen, controlRandomUnseen, seed);
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
            if (controlRandomUnseen && controlDraws > 1) {
                double[] means = new double[controlDraws];
                means[0] = report.unseenMean();
                for (int d = 1; d < controlDraws; d++) {
                    float[][] cls = model.projectClassVectors(classVectors(data, labels, unseen, true, seed + d));
                    means[d] = GzslEvaluation.evaluate(samples, labels, unseen, Scoring.scores(imgEmb, cls, model.config().distanceFunction()))
                            .unseenMean();
                }
                double avg = java.util.Arrays.stream(means).average().orElse(Double.NaN);
                double var = java.util.Arrays.stream(means).map(m -> (m - avg) * (m - avg)).sum() / Math.max(1, controlDraws - 1);
                report.putExtra("controlDraws", controlDraws);
                report.putExtra("controlUnseenMeans", means);
                report.putExtra("controlUnseenMeanAverage", avg);
                report.putExtra("controlUnseenMeanSd", Math.sqrt(var));
            }
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The labels' class vectors; with the control, each unseen one replaced by a random vector of its norm (seeded). */
    private static float[][] classVectors(GzslDataset data, List<String> labels, Set<String> unseen, boolean control, long seed) {
        float[][] vectors = new float[labels.size()][];
        Random rng = new Random(seed);
        for (int i = 0; i < labels.size(); i++) {
            float[] v = data.classVector(labels.get(i));
            vectors[i] = control && unseen.contains(labels.get(i)) ? randomSameNorm(v, rng) : v;
        }
        return vectors;
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
