package org.triage.trainer.model;

/**
 * Training hyper-parameters, recorded in config.json.
 *
 * @param lr          Adam learning rate (paper 1e-4)
 * @param weightDecay L2 penalty added to the gradient, as torch.optim.Adam's weight_decay (paper 3e-4)
 * @param beta1       Adam beta1 (0.9)
 * @param beta2       Adam beta2 (0.999)
 * @param batchSize   images per step (paper 32)
 * @param epochs      epochs (paper 40)
 * @param lrStep      the learning rate is multiplied by lrGamma every lrStep epochs (paper 10)
 * @param lrGamma     step factor (paper 0.1)
 * @param alpha       loss exponent (paper 2)
 * @param beta        margin decay per 10 epochs (paper 0.03)
 * @param delta       initial margin (not in the paper)
 * @param augment     random crop (+ flip when allowed) in training; center crop when false
 * @param flip        horizontal flip in augmentation (off when laterality is part of a class)
 * @param seed        seed of initialisation, shuffling and augmentation
 * @param semanticInitStd std of the normal init of the semantic MLP's first layer (0 = He init like every other
 *                    weight). The semantic branch only ever sees the S seen class vectors, so its first layer is
 *                    trained only inside their span; whatever a random init puts on the other directions maps the
 *                    novel part of an unseen class vector to noise. A near-zero init keeps those directions silent.
 * @param emaDecay    decay of an exponential moving average of the weights (0 = off); validation, selection and the
 *                    saved model use the averaged weights, training continues on the raw ones
 * @param intensityJitter strength s of the photometric augmentation (0 = off): per image gain 1+-s, offset +-s/2 and
 *                    gamma exp(+-s) on the [0,1] pixels before normalisation, as exposure varies between films
 */
public record TrainHyper(double lr, double weightDecay, double beta1, double beta2, int batchSize, int epochs, int lrStep,
        double lrGamma, float alpha, float beta, float delta, boolean augment, boolean flip, long seed, double semanticInitStd,
        double emaDecay, double intensityJitter) {

    public TrainHyper {
        if (emaDecay < 0 || emaDecay >= 1) {
            throw new IllegalArgumentException("--ema must be in [0, 1), got " + emaDecay);
        }
        if (intensityJitter < 0 || intensityJitter > 0.5) {
            throw new IllegalArgumentException("--intensity-jitter must be in [0, 0.5], got " + intensityJitter);
        }
    }

    /** Without a semantic init override (He init everywhere). */
    public TrainHyper(double lr, double weightDecay, double beta1, double beta2, int batchSize, int epochs, int lrStep, double lrGamma,
            float alpha, float beta, float delta, boolean augment, boolean flip, long seed) {
        this(lr, weightDecay, beta1, beta2, batchSize, epochs, lrStep, lrGamma, alpha, beta, delta, augment, flip, seed, 0, 0, 0);
    }

    /** Learning rate in a 0-based epoch under the step schedule. */
    public double lrAt(int epoch) {
        return lr * Math.pow(lrGamma, Math.floorDiv(epoch, Math.max(1, lrStep)));
    }

    /** The same run with another length and loss exponent/margin decay (one ablation row). */
    public TrainHyper withEpochsAndLoss(int n, float alpha, float beta) {
        return new TrainHyper(lr, weightDecay, beta1, beta2, batchSize, n, lrStep, lrGamma, alpha, beta, delta, augment, flip, seed,
                semanticInitStd, emaDecay, intensityJitter);
    }

    /** The same run with another training seed (one row of the seeds benchmark). */
    public TrainHyper withSeed(long s) {
        return new TrainHyper(lr, weightDecay, beta1, beta2, batchSize, epochs, lrStep, lrGamma, alpha, beta, delta, augment, flip, s,
                semanticInitStd, emaDecay, intensityJitter);
    }

    public CmDmlLoss loss() {
        return new CmDmlLoss(alpha, beta, delta);
    }
}
