package org.triage.trainer.train;

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
 */
public record TrainSettings(ArchSpec arch, PreprocessSpec preprocess, DistanceFunction distance, TrainHyper hyper, int threads,
        boolean progress, double timeBudgetSec) {}
