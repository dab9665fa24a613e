package org.triage.trainer.cli;

import picocli.CommandLine.Option;

/** The options `triage train` and `triage retrain` share: the network, its input, the schedule and the run. */
public final class TrainingOptions {
    @Option(names = "--arch", defaultValue = TrainCommand.Defaults.ARCH,
            description = "densenet121 | densenet-small | densenet-small-hr | densenet-small-hr4 | densenet-tiny (default ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--image-size", defaultValue = "" + TrainCommand.Defaults.CROP,
            description = "square crop fed to the network (default ${DEFAULT-VALUE}; paper 224)")
    int crop;

    @Option(names = "--resize", defaultValue = "" + TrainCommand.Defaults.RESIZE,
            description = "shorter side before cropping (default ${DEFAULT-VALUE}; paper 256)")
    int resize;

    @Option(names = "--lr", defaultValue = "" + TrainCommand.Defaults.LR, description = "Adam learning rate (default ${DEFAULT-VALUE}; paper 1e-4)")
    double lr;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "" + TrainCommand.Defaults.EPOCHS, description = "default ${DEFAULT-VALUE}; paper 40")
    int epochs;

    @Option(names = "--ema", defaultValue = "" + TrainCommand.Defaults.EMA,
            description = "decay of the weight average that is validated and saved; 0 = off (default ${DEFAULT-VALUE})")
    double ema;

    @Option(names = "--seed", defaultValue = "7", description = "training seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "PyTorch intra-op threads and preprocessing workers (default: all cores)")
    Integer threads;

    @Option(names = "--no-progress", description = "no progress bar (epoch summaries still go to stderr)")
    boolean noProgress;

    @Option(names = "--time-budget", defaultValue = "0", description = "stop after the epoch that would overrun this many minutes (0 = no limit)")
    double timeBudgetMin;

    int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
