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
        return evaluate(model, data, split, controlRandomUnseen ? ControlKind.DEFAULT : null, seed, controlDraws, threads, batchSize);
    }

    /**
     * How the control replaces each unseen class vector. The control asks: with class vectors that carry no information
     * about the unseen class, does the unseen mean fall to chance? It is only neutral when the replacement looks like a
     * class vector to the semantic MLP; otherwise it measures where the MLP sends inputs unlike its training data.
     */
    public enum ControlKind {
        /** A Gaussian vector of the replaced vector's L2 norm (the control up to this change; biased low, see the README). */
        GAUSSIAN("gaussian"),
        /** The replaced vector's own coordinates in a random order (same values, same norm, no class structure). */
        PERMUTED("permuted"),
        /**
         * A draw from the Gaussian fitted to the seen class vectors (their mean plus a random combination of their deviations
         * from it, i.e. the seen vectors' mean and covariance): in the region the semantic MLP was trained on, unrelated to
         * any unseen class.
         */
        SEEN_GAUSSIAN("seen-gaussian"),
        /**
         * s_a + s_b - s_c of three distinct random seen classes: built the way the phantom's unseen vectors are (each is a seen
         * class moved along a seen contrast), so it lies as far outside the seen cluster as they do, but for random classes.
         */
        SEEN_ANALOGY("seen-analogy"),
        /**
         * Each unseen class gets another unseen class's real vector (a derangement). Not a null: it asks whether the unseen
         * vectors are specific to their class (then it scores below chance), not whether transfer exists.
         */
        UNSEEN_SHUFFLED("unseen-shuffled");

        /** The kind {@code --control-random-unseen} uses unless {@code --control-kind} says otherwise. */
        public static final ControlKind DEFAULT = SEEN_GAUSSIAN;

        private final String id;

        ControlKind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static ControlKind fromId(String id) {
            for (ControlKind k : values()) {
                if (k.id.equalsIgnoreCase(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--control-kind must be one of gaussian, permuted, seen-gaussian, seen-analogy, unseen-shuffled; got '"
                    + id + "'");
        }
    }

    /**
     * @param control null for the plain evaluation; else how the control's unseen vectors are drawn
     */
    public static EvaluationReport evaluate(TrainedModel model, GzslDataset data, String split, ControlKind control, long seed,
            int controlDraws, int threads, int batchSize) {
        return evaluate(model, data, split, control, seed, controlDraws, threads, batchSize, false);
    }

    /**
     * @param centreOnSeen score each image for each label by -distance minus the image's mean over the seen labels of -distance
     *                     (see {@link #centreOnSeen}); the result and its control are scored the same way
     */
    public static EvaluationReport evaluate(TrainedModel model, GzslDataset data, String split, ControlKind control, long seed,
            int controlDraws, int threads, int batchSize, boolean centreOnSeen) {
        return evaluate(model, data, split, control, seed, controlDraws, threads, batchSize, centreOnSeen, null);
    }

    /** The split's image embeddings (center crop), in {@code data.requireImages(split)} order, for several evaluations of one model. */
    public static float[][] embedSplit(TrainedModel model, GzslDataset data, String split, int threads, int batchSize) {
        List<Sample> samples = data.requireImages(split);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        try {
            return Scoring.embed(new ImageSource(samples, model.preprocessor(), pool), model::embedImages, batchSize, pool);
        } finally {
            pool.shutdownNow();
        }
    }

    /** @param imageEmbeddings from {@link #embedSplit} for this model and split, or null to embed here */
    public static EvaluationReport evaluate(TrainedModel model, GzslDataset data, String split, ControlKind control, long seed,
            int controlDraws, int threads, int batchSize, boolean centreOnSeen, float[][] imageEmbeddings) {
        boolean controlRandomUnseen = control != null;
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
        float[][] vectors = classVectors(data, labels, unseen, control, seed);
        List<Sample> samples = data.requireImages(split);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        try {
            float[][] imgEmb = imageEmbeddings != null ? imageEmbeddings
                    : Scoring.embed(new ImageSource(samples, model.preprocessor(), pool), model::embedImages, batchSize, pool);
            if (imgEmb.length != samples.size()) {
                throw new IllegalArgumentException(imgEmb.length + " image embeddings for " + samples.size() + " images of split " + split);
            }
            float[][] clsEmb = model.projectClassVectors(vectors);
            float[][] scores = score(imgEmb, clsEmb, model, seen.size(), centreOnSeen);
            EvaluationReport report = GzslEvaluation.evaluate(samples, labels, unseen, scores);
            report.putExtra("split", split);
            report.putExtra("distance", model.config().distance());
            report.putExtra("controlRandomUnseen", controlRandomUnseen);
            report.putExtra("scoreCentering", centreOnSeen ? "seen-mean" : "none");
            if (controlRandomUnseen) {
                report.putExtra("controlSeed", seed);
                report.putExtra("controlKind", control.id());
            }
            if (controlRandomUnseen && controlDraws > 1) {
                double[] means = new double[controlDraws];
                means[0] = report.unseenMean();
                for (int d = 1; d < controlDraws; d++) {
                    float[][] cls = model.projectClassVectors(classVectors(data, labels, unseen, control, seed + d));
                    means[d] = GzslEvaluation.evaluate(samples, labels, unseen, score(imgEmb, cls, model, seen.size(), centreOnSeen))
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

    private static float[][] score(float[][] imgEmb, float[][] clsEmb, TrainedModel model, int seenCount, boolean centre) {
        float[][] s = Scoring.scores(imgEmb, clsEmb, model.config().distanceFunction());
        return centre ? centreOnSeen(s, seenCount) : s;
    }

    /**
     * Per-image centring: each row minus its mean over the first {@code seenCount} columns (the seen labels). Every class
     * embedding lies on one side of the image cloud, so -distance to any of them carries a per-image term (how far the image
     * sits along that side) that ranks whole unseen classes above or below the rest whatever their class vectors say; the
     * image's mean seen-class score measures that term with the labels the model was trained on. A per-class offset cannot
     * move a per-class AUROC; this per-image one can.
     */
    public static float[][] centreOnSeen(float[][] scores, int seenCount) {
        float[][] out = new float[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            double m = 0;
            for (int j = 0; j < seenCount; j++) {
                m += scores[i][j];
            }
            m /= Math.max(1, seenCount);
            out[i] = new float[scores[i].length];
            for (int j = 0; j < scores[i].length; j++) {
                out[i][j] = (float) (scores[i][j] - m);
            }
        }
        return out;
    }

    /** The labels' class vectors; with the control, each unseen one replaced by a draw of the given kind (seeded). */
    static float[][] classVectors(GzslDataset data, List<String> labels, Set<String> unseen, ControlKind control, long seed) {
        float[][] vectors = new float[labels.size()][];
        List<float[]> seenVectors = new ArrayList<>();
        for (String l : labels) {
            if (!unseen.contains(l)) {
                seenVectors.add(data.classVector(l));
            }
        }
        Random rng = new Random(seed);
        List<Integer> unseenIdx = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (unseen.contains(labels.get(i))) {
                unseenIdx.add(i);
            }
        }
        int[] derangement = control == ControlKind.UNSEEN_SHUFFLED ? derangement(unseenIdx.size(), rng) : null;
        for (int i = 0; i < labels.size(); i++) {
            float[] v = data.classVector(labels.get(i));
            if (control == null || !unseen.contains(labels.get(i))) {
                vectors[i] = v;
            } else {
                vectors[i] = switch (control) {
                    case GAUSSIAN -> randomSameNorm(v, rng);
                    case PERMUTED -> permuted(v, rng);
                    case SEEN_GAUSSIAN -> seenGaussian(seenVectors, rng);
                    case SEEN_ANALOGY -> seenAnalogy(seenVectors, rng);
                    case UNSEEN_SHUFFLED -> data.classVector(labels.get(unseenIdx.get(derangement[unseenIdx.indexOf(i)]))).clone();
                };
            }
        }
        return vectors;
    }

    static float[] seenAnalogy(List<float[]> seen, Random rng) {
        if (seen.size() < 3) {
            throw new IllegalArgumentException("the seen-analogy control needs at least three seen class vectors");
        }
        int[] p = GzslTrainer.permutation(seen.size(), rng);
        float[] a = seen.get(p[0]);
        float[] b = seen.get(p[1]);
        float[] c = seen.get(p[2]);
        float[] r = new float[a.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = a[i] + b[i] - c[i];
        }
        return r;
    }

    /** A permutation without fixed points (the identity when n < 2). */
    static int[] derangement(int n, Random rng) {
        if (n < 2) {
            int[] id = new int[n];
            for (int i = 0; i < n; i++) {
                id[i] = i;
            }
            return id;
        }
        while (true) {
            int[] p = GzslTrainer.permutation(n, rng);
            boolean ok = true;
            for (int i = 0; i < n; i++) {
                ok &= p[i] != i;
            }
            if (ok) {
                return p;
            }
        }
    }

    static float[] permuted(float[] v, Random rng) {
        int[] p = GzslTrainer.permutation(v.length, rng);
        float[] r = new float[v.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[p[i]];
        }
        return r;
    }

    /** mean + sum_k z_k (s_k - mean) / sqrt(S-1), z ~ N(0,1): a draw from N(mean, sample covariance) of the seen vectors. */
    static float[] seenGaussian(List<float[]> seen, Random rng) {
        if (seen.size() < 2) {
            throw new IllegalArgumentException("the seen-gaussian control needs at least two seen class vectors");
        }
        int d = seen.get(0).length;
        double[] mean = new double[d];
        for (float[] s : seen) {
            for (int i = 0; i < d; i++) {
                mean[i] += s[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= seen.size();
        }
        double[] x = mean.clone();
        double scale = 1 / Math.sqrt(seen.size() - 1);
        for (float[] s : seen) {
            double z = rng.nextGaussian() * scale;
            for (int i = 0; i < d; i++) {
                x[i] += z * (s[i] - mean[i]);
            }
        }
        float[] r = new float[d];
        for (int i = 0; i < d; i++) {
            r[i] = (float) x[i];
        }
        return r;
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
