package org.triage.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.triage.trainer.data.DatasetFormatException;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.model.TrainedModel;
import org.triage.trainer.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Evaluate a trained model: per-class AUROC, seen/unseen/harmonic mean. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a trained model: per-class AUROC, seen/unseen/harmonic mean.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model folder written by 'triage train'")
    Path model;

    @Option(names = "--data", required = true, description = "dataset folder")
    Path data;

    @Option(names = "--report", required = true, description = "JSON report to write (scores.csv, truth.csv, roc.png go beside it)")
    Path report;

    @Option(names = "--split", defaultValue = "test", description = "train | val | test (default ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;

    @Option(names = "--threads", description = "PyTorch threads and preprocessing workers (default: all cores)")
    Integer threads;

    @Option(names = "--control-random-unseen", description = "control run: unseen class vectors replaced by random vectors of the same norm (expect unseen mean ~0.5)")
    boolean control;

    @Option(names = "--control-kind", defaultValue = "seen-gaussian",
            description = "with the control: seen-gaussian (draws from the seen class vectors' mean and covariance) | permuted (the unseen vector's "
                    + "coordinates shuffled) | gaussian (a Gaussian vector of the same norm, the earlier control) | seen-analogy (s_a + s_b - s_c of random "
                    + "seen classes) | unseen-shuffled (another unseen class's vector: a specificity check, not a null); default ${DEFAULT-VALUE}")
    String controlKind;

    @Option(names = "--score-centering", defaultValue = "none",
            description = "none (score = -distance, the stream's) | seen-mean (minus the image's mean score over the seen labels; the control is "
                    + "scored the same way); default ${DEFAULT-VALUE}")
    String scoreCentering;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the control's random vectors")
    long seed;

    @Option(names = "--control-draws", defaultValue = "1",
            description = "with the control: also score this many independent draws (seeds --seed, --seed+1, ...) and report their average "
                    + "(the report's metrics stay the --seed draw; default ${DEFAULT-VALUE})")
    int controlDraws;

    static boolean centering(String id) {
        return switch (id.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> false;
            case "seen-mean" -> true;
            default -> throw new IllegalArgumentException("--score-centering must be none or seen-mean, got '" + id + "'");
        };
    }

    @Override
    public Integer call() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TrainCommand.configureThreads(n);
        try (TrainedModel m = TrainedModel.load(model)) {
            GzslDataset dataset = GzslDataset.open(data);
            EvaluationReport r = Evaluator.evaluate(m, dataset, split, control ? Evaluator.ControlKind.fromId(controlKind) : null, seed,
                    controlDraws, n, batchSize, centering(scoreCentering));
            r.putExtra("model", model.toAbsolutePath().toString());
            r.write(report);
            r.printTable(System.out);
            if (r.extra("controlUnseenMeanAverage") instanceof Double avg) {
                System.out.println(String.format(java.util.Locale.ROOT, "control over %d draws: unseen mean %.4f (sd %.4f)", controlDraws, avg,
                        (Double) r.extra("controlUnseenMeanSd")));
            }
            return 0;
        } catch (DatasetFormatException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("triage evaluate: " + e.getMessage());
            return 1;
        }
    }
}
