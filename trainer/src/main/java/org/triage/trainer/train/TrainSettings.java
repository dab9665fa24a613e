package org.triage.trainer.train;

import java.nio.file.Path;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainHyper;

/**
 * One training run.
 *
 * @param arch          network shape
 * @param preprocess    resize/crop/normalisation (the stream's preprocessing)
 * @param distance      distance of the loss and of scoring
 * @param hyper         optimiser, schedule, loss and augmentation settings
 * @param threads       PyTorch intra-op threads and preprocessing workers
 * @param progress      draw the progress bar on stderr
 * @param timeBudgetSec stop after the epoch that would overrun this many seconds of training (0 = none)
 * @param backboneWeights torchvision DenseNet state_dict as .npz to initialise the backbone from, or null (He init)
 */
public record TrainSettings(ArchSpec arch, PreprocessSpec preprocess, DistanceFunction distance, TrainHyper hyper, int threads,
        boolean progress, double timeBudgetSec, Path backboneWeights) {

    /** He-initialised backbone. */
    public TrainSettings(ArchSpec arch, PreprocessSpec preprocess, DistanceFunction distance, TrainHyper hyper, int threads, boolean progress,
            double timeBudgetSec) {
        this(arch, preprocess, distance, hyper, threads, progress, timeBudgetSec, null);
    }
}
