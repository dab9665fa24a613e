package org.triage.stream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.triage.events.Severity;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.stream.InferenceStream;
import org.triage.stream.cluster.ClusterSettings;
import org.triage.stream.study.StudySettings;
import org.triage.stream.topology.StreamSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Run the inference topology. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Run the inference topology: radiographs -> batched ONNX inference -> findings, embeddings, alerts.",
                "Serves --model MODEL_DIR, or follows the PROMOTED release on model-releases when no model is given",
                "(or also with --follow-releases). Runs until interrupted."})
public final class StreamCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--model", paramLabel = "MODEL_DIR", description = "Exported model directory (model.json, visual.onnx, semantic.onnx).")
    Path model;

    @Option(names = "--follow-releases", description = "Also follow model-releases when --model is given (hot-swap to newer PROMOTED releases).")
    boolean followReleases;

    @Option(names = "--model-name", description = "Follow only releases of this model name (default: the PROMOTED release of any name promoted last).")
    String modelName;

    @Option(names = "--model-wait-s", defaultValue = "600", description = "How long to wait for a first PROMOTED release (default ${DEFAULT-VALUE}).")
    long modelWaitS;

    @Option(names = "--application-id", defaultValue = "${env:TRIAGE_STREAM_APPLICATION_ID:-triage-inference-stream}",
            description = "Kafka Streams application id (env TRIAGE_STREAM_APPLICATION_ID; default ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--state-dir", defaultValue = "${env:TRIAGE_STREAM_STATE_DIR:-${sys:user.home}/.triage/stream-state}",
            description = "Local state (RocksDB stores; env TRIAGE_STREAM_STATE_DIR; default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--max-batch", defaultValue = "32", description = "A batch closes at once at this many records (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "50", description = "... or when its oldest record waited this long (default ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default ${DEFAULT-VALUE}); each batches its own partitions.")
    int threads;

    @Option(names = "--preprocess-threads", description = "Threads decoding and preprocessing images beside inference (default: cores/2).")
    Integer preprocessThreads;

    @Option(names = "--no-pipelining", description = "Run inference on the stream thread (no overlap of a batch's inference with the next batch's intake).")
    boolean noPipelining;

    @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Transaction commit interval (default ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--novelty-threshold", defaultValue = "2.0",
            description = "NOVELTY alert when nearest distance / typical nearest distance reaches this (default ${DEFAULT-VALUE}).")
    double noveltyThreshold;

    @Option(names = "--novelty-severity", defaultValue = "MEDIUM", description = "Severity of NOVELTY alerts (default ${DEFAULT-VALUE}).")
    Severity noveltySeverity;

    @Option(names = "--sketch-capacity", defaultValue = "512", description = "Recent distances kept per label for QUANTILE thresholds (default ${DEFAULT-VALUE}).")
    int sketchCapacity;

    @Option(names = "--sketch-min-samples", defaultValue = "30", description = "Samples needed before a QUANTILE threshold applies (default ${DEFAULT-VALUE}).")
    int sketchMinSamples;

    @Option(names = "--metrics-port", defaultValue = "${env:TRIAGE_STREAM_METRICS_PORT:-9464}",
            description = "Port of /metrics (Prometheus) and /health; -1 disables (env TRIAGE_STREAM_METRICS_PORT; default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = {"--bind", "--metrics-bind"}, defaultValue = "127.0.0.1", description = "Address of the metrics endpoint (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--rescan-lookback-days", defaultValue = "30",
            description = "Apply a new prototype version with a fixed threshold to the stored embeddings of this many days (RETROSPECTIVE_MATCH alerts); 0 disables (default ${DEFAULT-VALUE}).")
    int rescanLookbackDays;

    @Option(names = "--cluster-min-size", defaultValue = "5",
            description = "Unexplained films close together form a cluster; it raises one NOVELTY_CLUSTER alert at this many films, updated as it grows (default ${DEFAULT-VALUE}).")
    int clusterMinSize;

    @Option(names = "--cluster-radius", defaultValue = "1.0",
            description = "A film joins a cluster within this times the model's typical nearest-prototype distance of its centroid (default ${DEFAULT-VALUE}).")
    double clusterRadius;

    @Option(names = "--cluster-window-days", defaultValue = "7",
            description = "A cluster with no new film for this many days (film time) closes (default ${DEFAULT-VALUE}).")
    int clusterWindowDays;

    @Option(names = "--no-clusters", description = "Do not cluster unexplained films (no <application-id>-novel-films topic).")
    boolean noClusters;

    @Option(names = "--study-quiet-time-s", defaultValue = "60",
            description = "A study's result is sent once none of its films has arrived for this many seconds (default ${DEFAULT-VALUE}).")
    long studyQuietTimeS;

    @Option(names = "--study-late-window-h", defaultValue = "24",
            description = "A film arriving this many hours after its study's result re-opens it: a new version follows (default ${DEFAULT-VALUE}).")
    long studyLateWindowH;

    @Option(names = "--no-studies", description = "Do not group findings into study results (no study-results, no <application-id>-findings-by-study topic).")
    boolean noStudies;

    @Option(names = "--cluster-basis", defaultValue = "NOVELTY",
            description = "Films the clusterer groups: NOVELTY (far from every prototype) or UNEXPLAINED (no active label within its"
                    + " threshold in force, nor, for a label without one, nearer than the NOVELTY ratio) (default ${DEFAULT-VALUE}).")
    org.triage.stream.cluster.ClusterBasis clusterBasis;

    @Option(names = "--cluster-explained-margin", defaultValue = "1.0",
            description = "Under UNEXPLAINED, a label explains the films within this times its threshold (default ${DEFAULT-VALUE}:"
                    + " exactly the films it fires on).")
    double clusterExplainedMargin;

    @Override
    public Integer call() throws Exception {
        StreamSettings settings;
        ClusterSettings clusters;
        StudySettings studies;
        try {
            settings = StreamSettings.defaults().withBatching(maxBatch, maxDelayMs).withSketch(sketchCapacity, sketchMinSamples)
                    .withNovelty(noveltyThreshold, noveltySeverity).withPipelined(!noPipelining);
            if (preprocessThreads != null) {
                settings = settings.withPreprocessThreads(preprocessThreads);
            }
            clusters = noClusters ? ClusterSettings.disabled()
                    : ClusterSettings.defaults(applicationId).withMinSize(clusterMinSize).withRadiusFactor(clusterRadius)
                            .withWindow(Duration.ofDays(clusterWindowDays)).withBasis(clusterBasis, clusterExplainedMargin);
            studies = noStudies ? StudySettings.disabled()
                    : StudySettings.defaults(applicationId).withQuietTime(Duration.ofSeconds(studyQuietTimeS))
                            .withLateWindow(Duration.ofHours(studyLateWindowH));
            if (rescanLookbackDays < 0) {
                throw new IllegalArgumentException("--rescan-lookback-days must be 0 (off) or positive");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("triage stream: " + e.getMessage());
            return 2;
        }
        InferenceStream.Builder b = InferenceStream.builder().bootstrapServers(connection.bootstrapServers)
                .clientProperties(connection.clientProperties())
                .schemaRegistryUrl(connection.schemaRegistryUrl).applicationId(applicationId).stateDir(stateDir).settings(settings)
                .threads(threads).commitIntervalMs(commitIntervalMs).metricsPort(metricsPort).metricsBind(bind)
                .modelWait(Duration.ofSeconds(modelWaitS)).rescanLookback(Duration.ofDays(rescanLookbackDays))
                .clusters(clusters).studies(studies);
        if (model != null) {
            b.modelDir(model);
        }
        if (model == null || followReleases) {
            b.followReleases(modelName);
        }
        InferenceStream stream = b.build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stream.close();
            done.countDown();
        }, "triage-stream-shutdown"));
        try {
            stream.start();
        } catch (TimeoutException | org.triage.model.onnx.ModelLoadException | IllegalArgumentException | IllegalStateException e) {
            System.err.println("triage stream: " + e.getMessage());
            stream.close();
            return 1;
        }
        System.out.println("triage stream running: model " + stream.model().map(m -> m.ref() + " on " + m.device()).orElse("-")
                + (stream.metricsPort() > 0 ? ", metrics http://" + bind + ":" + stream.metricsPort() + "/metrics" : ""));
        // An authentication or ACL failure stops the stream for good: say so once and exit rather than hang.
        while (!done.await(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (stream.fatalProblem() != null) {
                System.err.println("triage stream: " + stream.fatalProblem());
                stream.close();
                return 1;
            }
        }
        return 0;
    }
}
