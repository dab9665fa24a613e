package org.triage.trainer.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.trainer.data.DatasetFormatException;
import org.triage.trainer.lifecycle.ChampionChallengerRule;
import org.triage.trainer.lifecycle.LifecycleRefusal;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainHyper;
import org.triage.trainer.retrain.PatientSplit;
import org.triage.trainer.retrain.RetrainJob;
import org.triage.trainer.retrain.RetrainPlan;
import org.triage.trainer.retrain.RetrainRefusal;
import org.triage.trainer.retrain.RetrainTrigger;
import org.triage.trainer.retrain.RetrainWatcher;
import org.triage.trainer.retrain.SeenPromotion;
import org.triage.trainer.retrain.Snapshot;
import org.triage.trainer.retrain.TopicOffsets;
import org.triage.trainer.train.TrainSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code triage retrain}: a new model from the confirmed films on the log, challenging the one in service. */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Retrain from stored events and confirmed labels: snapshot radiographs + the latest labels per film + label-prototypes,",
            "split by patient, train, export, evaluate the new model and the PROMOTED one on the same test films, publish a CANDIDATE",
            "with its offsets, split, metrics and the champion/challenger decision, and promote it when the rule says so.",
            "Exit 0: published (promoted or left CANDIDATE, the line says which and why); 2: stopped by a check, nothing published;",
            "1: Kafka, the registry or the model store could not be used.",
            "--watch: run as a service that starts a job when --min-new-confirmations arrive or a label reaches --min-positives;",
            "several instances may run, one of them (consumer group triage-retrain-watch-<model>) starts jobs."})
public final class RetrainCommand implements Callable<Integer> {
    static final int REFUSED = 2;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--work-dir", required = true, paramLabel = "DIR", description = "Where the snapshot (DIR/data), the model and the export go.")
    Path workDir;

    @Option(names = "--model-name", defaultValue = "cm-dml-gzsl", description = "Model name of the releases (default ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--by", defaultValue = "triage-retrain", description = "Who retrains (a person or a pipeline); recorded in the decision (default ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--min-images", defaultValue = "200", description = "Stop unless at least this many confirmed films are usable (default ${DEFAULT-VALUE}).")
    int minImages;

    @Option(names = "--min-positives", defaultValue = "" + SeenPromotion.DEFAULT_MIN_POSITIVES,
            description = "An UNSEEN prototype with at least this many confirmed positives in train becomes a seen class (default ${DEFAULT-VALUE}).")
    int minPositives;

    @Option(names = "--tolerance", defaultValue = "" + ChampionChallengerRule.DEFAULT_TOLERANCE,
            description = "Harmonic mean the new model may lose against the champion and still be promoted (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--seen-tolerance", defaultValue = "" + ChampionChallengerRule.DEFAULT_SEEN_TOLERANCE,
            description = "Seen mean it may lose (default ${DEFAULT-VALUE}).")
    double seenTolerance;

    @Option(names = "--split-seed", defaultValue = "1", description = "Key of the patient hash that assigns the splits (default ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--train-fraction", defaultValue = "0.7", description = "Share of patients in train (default ${DEFAULT-VALUE}).")
    double trainFraction;

    @Option(names = "--val-fraction", defaultValue = "0.15", description = "Share of patients in val; the rest is test (default ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--offsets", paramLabel = "FILE",
            description = "Read only up to these offsets (JSON topic-partition -> offset, or a snapshot.json) instead of the topics' ends.")
    Path offsets;

    @Option(names = "--rebuild", paramLabel = "VERSION",
            description = "With --snapshot-only: rebuild the dataset of release --model-name:VERSION from its recorded offsets and split.")
    String rebuild;

    @Option(names = "--snapshot-only", description = "Write the dataset folder and snapshot.json, then stop (nothing trained or published).")
    boolean snapshotOnly;

    @Option(names = "--force-retrain", description = "Train even when nothing is new since the PROMOTED release's offsets.")
    boolean forceRetrain;

    @Option(names = "--release-version", paramLabel = "VERSION", description = "Version of the new release (default: UTC time + SHA-256 prefix).")
    String version;

    @Option(names = "--store", paramLabel = "DIR|URI", defaultValue = "${env:TRIAGE_MODEL_STORE:-${sys:user.home}/.triage/model-store}",
            description = "Model store (env TRIAGE_MODEL_STORE; default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--watch", description = "Run as a service: check the labels topic every --watch-interval and retrain when it is time.")
    boolean watch;

    @Option(names = "--min-new-confirmations", defaultValue = "50",
            description = "With --watch: confirmations since the last retrained release that start a job (default ${DEFAULT-VALUE}).")
    int minNewConfirmations;

    @Option(names = "--watch-interval", defaultValue = "60", paramLabel = "SECONDS",
            description = "With --watch: seconds between checks (default ${DEFAULT-VALUE}).")
    long watchIntervalSeconds;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "How long to wait for Kafka (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Mixin
    TrainingOptions training;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var err = System.err;
        try {
            int n = training.threadCount();
            TrainCommand.configureThreads(n);
            if (watch) {
                return watch(n);
            }
            RetrainJob job = new RetrainJob(plan(n, offsets != null ? TopicOffsets.read(offsets) : null), err);
            if (snapshotOnly) {
                Snapshot s = job.snapshotOnly();
                System.out.println("snapshot " + s.dir() + ": " + s.films() + " films, split " + s.split().hash());
                return 0;
            }
            if (rebuild != null) {
                throw new RetrainRefusal("--rebuild goes with --snapshot-only (a rebuild reproduces the data, not a release)");
            }
            RetrainJob.Outcome o = job.run();
            System.out.println(o.summary());
            return 0;
        } catch (RetrainRefusal | LifecycleRefusal | DatasetFormatException | IllegalArgumentException e) {
            err.println("triage retrain: " + e.getMessage());
            return REFUSED;
        } catch (java.io.IOException | RuntimeException e) {
            // A lost lease, an outage, a failed export: nothing was published, and the message says which.
            err.println("triage retrain: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        }
    }

    private int watch(int nThreads) {
        RetrainWatcher watcher = watcher(nThreads, System.err);
        Thread stop = new Thread(watcher::close, "triage-retrain-watch-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        watcher.run();
        return 0;
    }

    /** The service {@code --watch} runs, built from the parsed flags (its {@link RetrainWatcher#run} blocks until closed). */
    public RetrainWatcher watcher(int nThreads, java.io.PrintStream say) {
        if (snapshotOnly || rebuild != null || offsets != null || version != null) {
            throw new IllegalArgumentException("--watch starts jobs on the topics' ends with generated versions; it does not go with "
                    + "--snapshot-only, --rebuild, --offsets or --release-version");
        }
        if (watchIntervalSeconds < 1) {
            throw new IllegalArgumentException("--watch-interval must be >= 1 s, not " + watchIntervalSeconds);
        }
        plan(nThreads, null); // the same checks of the flags a single job makes, before the service starts
        var cfg = new RetrainWatcher.Config(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(),
                Duration.ofMillis(timeoutMs), modelName, Duration.ofSeconds(watchIntervalSeconds),
                new RetrainTrigger(minNewConfirmations, minPositives));
        return new RetrainWatcher(cfg, ends -> plan(nThreads, ends), say);
    }

    private RetrainPlan plan(int nThreads, TopicOffsets upTo) {
        if (minImages < 1) {
            throw new IllegalArgumentException("--min-images must be >= 1, not " + minImages);
        }
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("--model-name must not be blank");
        }
        PatientSplit split = new PatientSplit(splitSeed, trainFraction, valFraction);
        TopicOffsets ends = upTo;
        if (rebuild != null) {
            var release = new org.triage.trainer.lifecycle.ReleaseLog(connection.bootstrapServers, connection.schemaRegistryUrl,
                    connection.clientProperties(), Duration.ofMillis(timeoutMs)).read().release(modelName, rebuild)
                    .orElseThrow(() -> new RetrainRefusal("no release " + modelName + ":" + rebuild + " on model-releases"));
            if (release.getDataOffsets().isEmpty() || release.getSplit() == null) {
                throw new RetrainRefusal(modelName + ":" + rebuild + " records no offsets or split; it was not made by triage retrain");
            }
            ends = new TopicOffsets(release.getDataOffsets());
            split = PatientSplit.parse(release.getSplit().getMethod(), release.getSplit().getSeed());
        }
        TrainHyper hyper = new TrainHyper(training.lr, 3e-4, 0.9, 0.999, training.batchSize, training.epochs, TrainCommand.Defaults.LR_STEP, 0.1, 2f, 0.03f,
                TrainCommand.Defaults.DELTA, true, false, training.seed, TrainCommand.Defaults.SEMANTIC_INIT_STD, training.ema,
                TrainCommand.Defaults.INTENSITY_JITTER);
        TrainSettings settings = new TrainSettings(ArchSpec.byName(training.arch), PreprocessSpec.imagenet(training.resize, training.crop),
                DistanceFunction.WEIGHTED_EUCLIDEAN, hyper, nThreads, !training.noProgress, training.timeBudgetMin * 60);
        return new RetrainPlan(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(),
                Duration.ofMillis(timeoutMs), modelName, workDir, store, split, new SeenPromotion(minPositives), minImages, settings,
                new ChampionChallengerRule(tolerance, seenTolerance), by, ends, forceRetrain, version, nThreads);
    }
}
