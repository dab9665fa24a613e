package org.triage.stream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.AlertPolicy;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.NormalisedImage;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.InferenceStream;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark the stream's sustained throughput and latency.
 *
 * <ol>
 * <li>raw: the visual model alone on preprocessed batches of --max-batch (what bench model measures);</li>
 * <li>sustained: a backlog of --images radiographs through the whole stream (deserialize, store,
 *     preprocess, infer, score, produce, commit under exactly-once), counted between 10% and 90% done;</li>
 * <li>latency: a paced load at --load (0.5) of the sustained throughput; latency = finding visible
 *     to a read_committed consumer minus the event's receivedAt.</li>
 * </ol>
 */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "Benchmark the stream's sustained throughput and latency.")
public final class BenchStreamCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BenchStreamCommand.class);

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--model", paramLabel = "MODEL_DIR", description = "Exported model directory.")
    Path model;

    @Option(names = "--random-init", paramLabel = "ARCH",
            description = "No trained model: export ARCH (densenet-small, densenet121) with fresh weights (needs the trainer on the classpath).")
    String randomInit;

    @Option(names = "--input-size", defaultValue = "0", description = "Input size for --random-init (0 = the architecture's default).")
    int inputSize;

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "JSON report to write.")
    Path report;

    @Option(names = "--external", description = "Use the broker of --bootstrap-servers instead of an embedded local stack (fresh topics needed).")
    boolean external;

    @Option(names = "--max-batch", defaultValue = "32", description = "Batch size (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "50", description = "Batch max delay (default ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Transaction commit interval (default ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--image-size", defaultValue = "256", description = "Side of the synthetic 16-bit PNGs (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--images", description = "Backlog for the sustained phase (default: about 20 s at raw speed, 200..5000).")
    Integer images;

    @Option(names = "--raw-seconds", defaultValue = "8", description = "Duration of the raw model phase (default ${DEFAULT-VALUE}).")
    double rawSeconds;

    @Option(names = "--latency-seconds", defaultValue = "20", description = "Duration of the paced latency phase (default ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(names = "--load", defaultValue = "0.5", description = "Latency phase load as a fraction of sustained throughput (default ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--no-pipelining", description = "Run inference on the stream thread (for comparison).")
    boolean noPipelining;

    @Option(names = "--prototypes", defaultValue = "14", description = "Random prototypes scored per image (default ${DEFAULT-VALUE}).")
    int prototypes;

    @Option(names = "--stat-backlog", defaultValue = "500", description = "ROUTINE films queued before the STAT films of the last phase (default ${DEFAULT-VALUE}; 0 = skip it).")
    int statBacklog;

    @Option(names = "--stat-films", defaultValue = "5", description = "STAT films sent, one at a time, while that backlog drains (default ${DEFAULT-VALUE}).")
    int statFilms;

    private static final int DISTINCT = 64;
    private double preprocessCpuMs;

    /** For running the benchmark without the full CLI: java -cp ... org.triage.stream.bench.BenchStreamCommand ... */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchStreamCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (maxBatch < 1 || maxDelayMs < 1 || imageSize < 8 || !(load > 0 && load <= 1)) {
            System.err.println("triage bench stream: need --max-batch >= 1, --max-delay-ms >= 1, --image-size >= 8, 0 < --load <= 1");
            return 2;
        }
        if ((model == null) == (randomInit == null)) {
            System.err.println("triage bench stream: give exactly one of --model MODEL_DIR or --random-init ARCH");
            return 2;
        }
        Path randomDir = null;
        if (randomInit != null) {
            var factory = java.util.ServiceLoader.load(org.triage.model.bench.RandomModelFactory.class).findFirst();
            if (factory.isEmpty()) {
                System.err.println("triage bench stream: --random-init needs the trainer module on the classpath (run it through ./triage)");
                return 2;
            }
            randomDir = Files.createTempDirectory("triage-bench-model");
            model = factory.get().export(randomInit, inputSize, 42, randomDir);
        }
        try {
            return run();
        } catch (org.triage.model.onnx.ModelLoadException e) {
            System.err.println("triage bench stream: " + e.getMessage());
            return 1;
        } finally {
            if (randomDir != null) {
                org.triage.schemas.io.Directories.deleteQuietly(randomDir);
            }
        }
    }

    private int run() throws Exception {
        List<byte[]> pngs = new ArrayList<>(DISTINCT);
        for (int i = 0; i < DISTINCT; i++) {
            pngs.add(SyntheticImages.png(imageSize, i));
        }
        // 1. Raw model throughput at the same batch size.
        Raw raw;
        int classDim;
        String device;
        String modelRef;
        try (BatchEmbedder m = new OnnxModelLoader().load(model)) {
            raw = raw(m, pngs);
            classDim = m.info().classVectorDim();
            device = m.info().device();
            modelRef = m.info().ref();
        }
        System.err.printf("raw: %.1f images/s at batch %d (%.2f ms/batch) on %s%n", raw.throughput, maxBatch, raw.batchMs, device);
        int backlog = images != null ? images : (int) Math.max(200, Math.min(5000, raw.throughput * 20));

        LocalStack stack = external ? null : LocalStack.start();
        Path state = Files.createTempDirectory("triage-bench-stream");
        try {
            String bootstrap = external ? connection.bootstrapServers : stack.bootstrapServers();
            String registry = external ? connection.schemaRegistryUrl : stack.schemaRegistryUrl();
            try (KafkaProducer<String, RadiographEvent> producer = producer(bootstrap, registry, RadiographEvent.class)) {
                seedPrototypes(bootstrap, registry, classDim);
                // 2. Sustained throughput: the backlog is in the topic before the stream starts.
                for (int i = 0; i < backlog; i++) {
                    producer.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "bench-" + i, event("bench-" + i, pngs.get(i % DISTINCT))));
                }
                producer.flush();
                try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                        .applicationId("triage-bench-stream-" + System.currentTimeMillis()).stateDir(state).modelDir(model)
                        .settings(org.triage.stream.topology.StreamSettings.defaults().withBatching(maxBatch, maxDelayMs)
                                .withPipelined(!noPipelining))
                        .commitIntervalMs(commitIntervalMs)
                        .property(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest").build()) {
                    stream.start();
                    stream.awaitRunning(Duration.ofSeconds(120));
                    Sustained sus = sustained(stream, backlog);
                    double throughput = sus.throughput();
                    drain(stream, backlog);
                    System.err.printf("sustained: %.1f images/s (%.2f of raw)%n", throughput, throughput / raw.throughput);
                    // 3. Latency at a fraction of capacity.
                    double rate = throughput * load;
                    double[] lat = latency(stream, producer, bootstrap, registry, pngs, rate);
                    // 4. STAT films behind a ROUTINE backlog: each one's time to its finding, and how much backlog it overtook.
                    // Compared with what a film takes end to end when nothing is queued: the paced phase's median.
                    Map<String, Object> stat = statBacklog > 0 && statFilms > 0 ? statUnderBacklog(producer, bootstrap, registry, pngs,
                            lat[0]) : null;
                    var snap = stream.metrics();
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("throughput", round(throughput));
                    out.put("rawThroughput", round(raw.throughput));
                    out.put("ratio", round(throughput / raw.throughput));
                    out.put("latencyMs", Map.of("p50", round(lat[0]), "p95", round(lat[1]), "p99", round(lat[2])));
                    out.put("maxDelayMs", maxDelayMs);
                    out.put("batchInferenceMs", round(raw.batchMs));
                    out.put("device", device);
                    out.put("model", modelRef);
                    out.put("maxBatch", maxBatch);
                    out.put("pipelined", !noPipelining);
                    out.put("imageSize", imageSize);
                    out.put("backlogImages", backlog);
                    out.put("latencyLoadImagesPerSecond", round(rate));
                    out.put("latencySamples", (int) lat[3]);
                    out.put("latencyTargetMs", round(maxDelayMs + 2 * raw.batchMs));
                    out.put("commitIntervalMs", commitIntervalMs);
                    out.put("preprocessMsPerImage", round(raw.preprocessMs));
                    out.put("preprocessCpuMsPerImage", round(preprocessCpuMs));
                    // Wall-clock figures depend on what else runs on the machine; CPU per image does not (much).
                    out.put("cpuMsPerImage", Map.of("raw", round(raw.cpuMsPerImage), "stream", round(sus.cpuMsPerImage())));
                    out.put("cpuRatio", round(raw.cpuMsPerImage / sus.cpuMsPerImage()));
                    out.put("loadAverageAtEnd", round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                    out.put("sustainedMeanBatchSize", round(sus.meanBatch()));
                    out.put("streamMeanBatchSize", round(snap.meanBatchSize()));
                    out.put("streamMeanInferenceMs", round(snap.meanInferenceMs()));
                    out.put("cores", Runtime.getRuntime().availableProcessors());
                    if (stat != null) {
                        out.put("statUnderRoutineBacklog", stat);
                    }
                    if (report.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(report.toAbsolutePath().getParent());
                    }
                    Files.write(report, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(out));
                    System.out.println(new ObjectMapper().writeValueAsString(out));
                }
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
            org.triage.schemas.io.Directories.deleteQuietly(state);
        }
        return 0;
    }

    private record Raw(double throughput, double batchMs, double preprocessMs, double cpuMsPerImage) {
    }

    private record Sustained(double throughput, double cpuMsPerImage, double meanBatch) {
    }

    private Raw raw(BatchEmbedder m, List<byte[]> pngs) {
        float[][] batch = new float[maxBatch][];
        for (int i = 0; i < maxBatch; i++) {
            batch[i] = m.preprocess(pngs.get(i % pngs.size()));
        }
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long pc0 = threads.getCurrentThreadCpuTime();
        long p0 = System.nanoTime();
        int preprocessed = 0;
        while (System.nanoTime() - p0 < 2_000_000_000L || preprocessed < 32) {
            m.preprocess(pngs.get(preprocessed++ % pngs.size()));
        }
        double preprocessMs = (System.nanoTime() - p0) / 1e6 / preprocessed;
        preprocessCpuMs = (threads.getCurrentThreadCpuTime() - pc0) / 1e6 / preprocessed;
        for (int i = 0; i < 3; i++) {
            m.embed(batch);
        }
        long t0 = System.nanoTime();
        long c0 = processCpuNanos();
        long deadline = t0 + (long) (rawSeconds * 1e9);
        int batches = 0;
        do {
            m.embed(batch);
            batches++;
        } while (System.nanoTime() < deadline || batches < 5);
        double s = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (processCpuNanos() - c0) / 1e6 / (batches * (double) maxBatch);
        return new Raw(batches * (double) maxBatch / s, s * 1000 / batches, preprocessMs, cpuMs);
    }

    /** Images/s between 10% and 90% of the backlog: excludes start-up and the tail. */
    private static Sustained sustained(InferenceStream stream, int backlog) throws InterruptedException {
        long lo = Math.max(1, backlog / 10);
        long hi = Math.max(lo + 1, backlog * 9L / 10);
        long tLo = 0;
        long nLo = 0;
        long cLo = 0;
        long bLo = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            long n = stream.metrics().findings();
            long now = System.nanoTime();
            if (tLo == 0 && n >= lo) {
                tLo = now;
                nLo = n;
                cLo = processCpuNanos();
                bLo = stream.metrics().batches();
            }
            if (n >= hi && tLo != 0 && now > tLo) {
                long batches = Math.max(1, stream.metrics().batches() - bLo);
                return new Sustained((n - nLo) / ((now - tLo) / 1e9), (processCpuNanos() - cLo) / 1e6 / (n - nLo),
                        (n - nLo) / (double) batches);
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("backlog not processed within 30 minutes");
    }

    /** The latency phase must start on an empty queue, or it would measure the backlog's tail. */
    private static void drain(InferenceStream stream, int backlog) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (stream.metrics().findings() < backlog || stream.metrics().pending() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("backlog not drained within 10 minutes");
            }
            Thread.sleep(20);
        }
        Thread.sleep(500);
    }

    private double[] latency(InferenceStream stream, KafkaProducer<String, RadiographEvent> producer, String bootstrap, String registry,
                             List<byte[]> pngs, double rate) throws Exception {
        List<Double> samples = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        int total = (int) Math.max(20, rate * latencySeconds);
        try (KafkaConsumer<String, Finding> consumer = findingsFromNow(bootstrap, registry)) {
            Thread sender = new Thread(() -> {
                long interval = (long) (1e9 / rate);
                long next = System.nanoTime();
                for (int i = 0; i < total && !stop.get(); i++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    producer.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "lat-" + i, event("lat-" + i, pngs.get(i % pngs.size()))));
                    next += interval;
                }
                producer.flush();
            }, "bench-paced-sender");
            sender.start();
            long deadline = System.nanoTime() + (long) ((latencySeconds + 60) * 1e9);
            while (samples.size() < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Finding> r : consumer.poll(Duration.ofMillis(20))) {
                    if (r.key() != null && r.key().startsWith("lat-")) {
                        samples.add((double) (System.currentTimeMillis() - r.value().getReceivedAt().toEpochMilli()));
                    }
                }
            }
            stop.set(true);
            sender.join(10_000);
        }
        if (samples.size() < total) {
            LOG.warn("latency phase: {} of {} findings arrived in time", samples.size(), total);
        }
        double[] v = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {pct(v, 0.50), pct(v, 0.95), pct(v, 0.99), v.length};
    }

    /**
     * Queues {@code statBacklog} ROUTINE films, waits until the stream is working through them, then
     * sends the STAT films one at a time and times each to its finding. The batch latency it is
     * compared with is a film's median time to its finding without a backlog (closing its batch,
     * inference, the transaction's commit): a STAT film should take about that long however much
     * routine work is queued.
     */
    private Map<String, Object> statUnderBacklog(KafkaProducer<String, RadiographEvent> producer, String bootstrap, String registry,
                                                 List<byte[]> pngs, double batchLatencyMs) {
        List<Double> latencies = new ArrayList<>();
        List<Integer> backlogLeft = new ArrayList<>();
        int routineDone = 0;
        try (KafkaConsumer<String, Finding> consumer = findingsFromNow(bootstrap, registry)) {
            for (int i = 0; i < statBacklog; i++) {
                producer.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "backlog-" + i, event("backlog-" + i, pngs.get(i % pngs.size()))));
            }
            producer.flush();
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (routineDone == 0 && System.nanoTime() < deadline) {
                routineDone += countRoutine(consumer.poll(Duration.ofMillis(20)), null, null);
            }
            for (int j = 0; j < statFilms && routineDone < statBacklog; j++) {
                String sop = "stat-" + j;
                producer.send(new ProducerRecord<>(Topics.RADIOGRAPHS_STAT, sop, event(sop, pngs.get(j % pngs.size()))));
                producer.flush();
                int left = statBacklog - routineDone;
                double[] latency = {Double.NaN};
                while (Double.isNaN(latency[0]) && System.nanoTime() < deadline) {
                    routineDone += countRoutine(consumer.poll(Duration.ofMillis(5)), sop, latency);
                }
                latencies.add(latency[0]);
                backlogLeft.add(left);
            }
            while (routineDone < statBacklog && System.nanoTime() < deadline) {
                routineDone += countRoutine(consumer.poll(Duration.ofMillis(50)), null, null);
            }
        }
        double[] v = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("routineBacklog", statBacklog);
        out.put("statFilms", v.length);
        out.put("routineLeftWhenEachStatWasSent", backlogLeft);
        out.put("latencyMs", Map.of("p50", round(pct(v, 0.5)), "max", round(v.length == 0 ? Double.NaN : v[v.length - 1])));
        out.put("batchLatencyMs", round(batchLatencyMs));
        out.put("maxOverBatchLatency", round(v.length == 0 ? Double.NaN : v[v.length - 1] / batchLatencyMs));
        System.err.printf("STAT under a backlog of %d ROUTINE films: %s ms (a film without a backlog: %.0f ms)%n", statBacklog, latencies,
                batchLatencyMs);
        return out;
    }

    /** A committed-only reader of findings, positioned at their current end. */
    private static KafkaConsumer<String, Finding> findingsFromNow(String bootstrap, String registry) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, Finding> consumer = new KafkaConsumer<>(p, Serdes.String().deserializer(),
                AvroSerdes.specific(Finding.class, registry, false).deserializer());
        List<TopicPartition> parts = consumer.partitionsFor(Topics.FINDINGS, Duration.ofSeconds(30)).stream()
                .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
        return consumer;
    }

    /** Routine findings in {@code records}; the STAT film's latency goes to {@code latency[0]} when its finding is among them. */
    private static int countRoutine(Iterable<ConsumerRecord<String, Finding>> records, String statSop, double[] latency) {
        int n = 0;
        for (ConsumerRecord<String, Finding> r : records) {
            if (r.key() == null) {
                continue;
            }
            if (r.key().startsWith("backlog-")) {
                n++;
            } else if (r.key().equals(statSop)) {
                latency[0] = System.currentTimeMillis() - r.value().getReceivedAt().toEpochMilli();
            }
        }
        return n;
    }

    private static double pct(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private void seedPrototypes(String bootstrap, String registry, int dim) throws Exception {
        Random rng = new Random(7);
        try (KafkaProducer<String, LabelPrototype> p = producer(bootstrap, registry, LabelPrototype.class)) {
            for (int i = 0; i < prototypes; i++) {
                List<Float> v = new ArrayList<>(dim);
                for (int j = 0; j < dim; j++) {
                    v.add((float) rng.nextGaussian());
                }
                Instant now = Instant.now();
                String id = "bench-label-" + i;
                p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, id, LabelPrototype.newBuilder().setLabelId(id).setDisplayName(id)
                        .setVector(v).setVectorEncoder("random").setDimension(dim).setKind(i < prototypes / 2 ? PrototypeKind.SEEN : PrototypeKind.UNSEEN)
                        .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.QUANTILE).setValue(0.01).setRare(false).build())
                        .setSeverity(Severity.LOW).setAuthor("bench").setVersion(1).setCreatedAt(now).setUpdatedAt(now).build())).get();
            }
        }
    }

    private static RadiographEvent event(String sop, byte[] png) {
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        NormalisedImage img = NormalisedImage.newBuilder().setWidth(0).setHeight(0).setBitsStored(16).setEncoding("png16")
                .setData(ByteBuffer.wrap(png)).setUri(null).setSha256(sha).setPixelSha256(sha).setOriginalWidth(0).setOriginalHeight(0)
                .setOriginalPhotometric(null).build();
        return RadiographEvent.newBuilder().setEventId(sop).setSopInstanceUid(sop).setPatientPseudonym("bench").setSourceSystem("bench")
                .setReceivedAt(Instant.now()).setImage(img).build();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, T> producer(String bootstrap, String registry,
                                                                                                        Class<T> type) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        return new KafkaProducer<>(p, Serdes.String().serializer(), AvroSerdes.specific(type, registry, false).serializer());
    }

    /** CPU time of this whole process (all threads), ns; -1 when the JVM cannot tell. */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

}
