package org.triage.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.CmDmlLoss;
import org.triage.trainer.model.CrossModalNet;
import org.triage.trainer.model.ModelInventory;
import org.triage.trainer.model.ModelInventory.ParamEntry;
import org.triage.trainer.model.NdDistances;

/**
 * One optimisation step of CM-DML-GZSL: forward both branches, pairwise distances to the seen
 * classes, eq. 9-10 loss, backward, Adam. Shared by the trainer and {@code triage bench train}
 * so the benchmark measures exactly the training loop's work.
 */
public final class TrainStep {
    private final CrossModalNet net;
    private final NDManager manager;
    private final ParameterStore ps;
    private final AdamState adam;
    private final NDArray classVectors;
    private final CmDmlLoss loss;
    private final DistanceFunction distance;
    private final PreprocessSpec pre;
    private final int classes;
    private final List<ParamEntry> trainable;
    private int consecutiveSkips;
    private long skipped;

    /** This many non-finite steps in a row end the run: the weights are diverging, not one batch misbehaving. */
    public static final int MAX_CONSECUTIVE_SKIPS = 10;

    public TrainStep(CrossModalNet net, NDManager manager, float[][] seenVectors, CmDmlLoss loss, DistanceFunction distance, PreprocessSpec pre,
            double beta1, double beta2) {
        this.net = net;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        List<ParamEntry> trainable = ModelInventory.parameters(net).stream().filter(ParamEntry::trainable).toList();
        this.adam = new AdamState(manager, trainable, beta1, beta2, GzslTrainer.ADAM_EPS);
        this.trainable = trainable;
        attachGradients();
        this.classes = seenVectors.length;
        this.classVectors = manager.create(GzslTrainer.flat(seenVectors), new Shape(seenVectors.length, seenVectors[0].length));
        this.loss = loss;
        this.distance = distance;
        this.pre = pre;
    }

    /** Marks every trained parameter for gradients; again after parameters are loaded from a checkpoint (loading replaces the arrays). */
    void attachGradients() {
        for (ParamEntry p : trainable) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    AdamState adam() {
        return adam;
    }

    ParameterStore parameterStore() {
        return ps;
    }

    /**
     * One step; a step whose loss or gradient is not finite is skipped (no update, gradients
     * cleared) and reported as NaN, so one bad batch does not poison the weights. The trainer
     * stops when {@link #MAX_CONSECUTIVE_SKIPS} steps in a row are skipped.
     *
     * @param x     batch*channels*crop*crop preprocessed pixels
     * @param y     batch*classes 0/1 targets over the seen classes
     * @return the batch loss before the update, or NaN when the step was skipped
     */
    public double step(float[] x, float[] y, int batch, int epoch, double lr, double weightDecay) {
        double value;
        boolean finiteGradients;
        try (NDManager sub = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray xs = sub.create(x, new Shape(batch, pre.channels(), pre.crop(), pre.crop()));
            NDArray ys = sub.create(y, new Shape(batch, classes));
            NDList out = net.forward(ps, new NDList(xs, classVectors), true);
            NDArray d = NdDistances.pairwise(distance, out.get(0), out.get(1));
            NDArray l = loss.compute(d, ys, epoch);
            gc.backward(l);
            value = l.getFloat();
            finiteGradients = Double.isFinite(value) && gradientsFinite(sub);
        }
        if (!finiteGradients) {
            adam.clearGradients();
            consecutiveSkips++;
            skipped++;
            if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                throw new IllegalStateException("the loss or its gradient was not finite in " + consecutiveSkips + " steps in a row at epoch "
                        + (epoch + 1) + "; lower --lr or --delta");
            }
            return Double.NaN;
        }
        consecutiveSkips = 0;
        adam.update(lr, weightDecay);
        return value;
    }

    /** Steps skipped so far because the loss or a gradient was NaN or infinite. */
    public long skippedSteps() {
        return skipped;
    }

    /** One reduction over all gradients: NaN and infinity survive a sum, so one scalar tells. */
    private boolean gradientsFinite(NDManager sub) {
        NDArray total = null;
        for (ParamEntry p : trainable) {
            try (NDArray g = p.parameter().getArray().getGradient()) {
                NDArray s = g.sum();
                s.attach(sub);
                total = total == null ? s : total.add(s);
            }
        }
        return total == null || Float.isFinite(total.getFloat());
    }
}
