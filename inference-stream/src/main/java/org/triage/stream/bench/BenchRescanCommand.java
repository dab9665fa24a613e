package org.triage.stream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.triage.events.AlertPolicy;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.rescan.RetrospectiveScanner;
import org.triage.stream.serde.RegistryEventSerdes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast a retrospective rescan reads stored embeddings: an embedded broker is filled with a
 * synthetic {@code embeddings} log (the model's dimension, spread over the lookback, a known share
 * near the prototype), then the real {@link RetrospectiveScanner} handles one new prototype
 * version with a fixed threshold. Reports write and scan rates, and checks the matches it found
 * against the ones planted.
 */
@Command(name = "rescan", mixinStandardHelpOptions = true,
        description = "Benchmark the retrospective rescan: stored embeddings scanned per second on a synthetic log.")
public final class BenchRescanCommand implements Callable<Integer> {
    @Option(names = "--report", required = true, paramLabel = "FILE", description = "JSON report to write.")
    Path report;

    @Option(names = "--embeddings", defaultValue = "1000000", description = "Stored embeddings in the synthetic log (default ${DEFAULT-VALUE}).")
    int embeddings;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the embeddings topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--model", paramLabel = "MODEL_DIR", description = "Exported model whose dimension, projection and distance are used.")
    Path model;

    @Option(names = "--random-init", paramLabel = "ARCH", defaultValue = "densenet-small",
            description = "Without --model: export ARCH with fresh weights (default ${DEFAULT-VALUE}; only its semantic branch and distance matter here).")
    String randomInit;

    @Option(names = "--match-share", defaultValue = "0.01", description = "Share of films planted near the prototype (default ${DEFAULT-VALUE}).")
    double matchShare;

    @Option(names = "--lookback-days", defaultValue = "30", description = "Rescan lookback; the log spans it (default ${DEFAULT-VALUE}).")
    int lookbackDays;

    @Option(names = "--target-seconds", defaultValue = "60", description = "Goal for the scan (default ${DEFAULT-VALUE}).")
    double targetSeconds;

    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchRescanCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (embeddings < 1 || partitions < 1 || !(matchShare > 0 && matchShare < 1) || lookbackDays < 1) {
            System.err.println("triage bench rescan: need --embeddings >= 1, --partitions >= 1, 0 < --match-share < 1, --lookback-days >= 1");
            return 2;
        }
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Path randomDir = null;
        Path modelDir = model;
        if (modelDir == null) {
            var factory = java.util.ServiceLoader.load(org.triage.model.bench.RandomModelFactory.class).findFirst();
            if (factory.isEmpty()) {
                System.err.println("triage bench rescan: --random-init needs the trainer on the classpath (run it as triage bench rescan); or give --model");
                return 2;
            }
            randomDir = Files.createTempDirectory("triage-bench-rescan-model");
            modelDir = factory.get().export(randomInit, 0, 42, randomDir);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try (BatchEmbedder m = new OnnxModelLoader().load(modelDir);
             LocalStack stack = LocalStack.start(LocalStackOptions.defaults().partitions(partitions));
             ModelHolder models = new ModelHolder()) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            Random rnd = new Random(7);
            float[] classVector = new float[m.info().classVectorDim()];
            for (int i = 0; i < classVector.length; i++) {
                classVector[i] = (float) rnd.nextGaussian();
            }
            float[] proto = m.project(new float[][] {classVector})[0];
            int dim = proto.length;
            ModelRef ref = ModelRef.newBuilder().setName(m.info().name()).setVersion(m.info().version()).build();

            // Planted matches lie within 0.05 of the prototype per component, the rest about 1 away per component:
            // the threshold sits far between, so the expected matches are exactly the planted ones.
            long now = System.currentTimeMillis();
            long span = Duration.ofDays(lookbackDays).toMillis() - Duration.ofHours(1).toMillis();
            int planted = 0;
            long t0 = System.nanoTime();
            System.err.printf("bench rescan: writing %,d synthetic %d-d embeddings over %d partitions...%n", embeddings, dim, partitions);
            try (KafkaProducer<String, ImageEmbedding> p = new KafkaProducer<>(producerProperties(bootstrap), Serdes.String().serializer(),
                    AvroSerdes.specific(ImageEmbedding.class, KafkaClientProperties.none().serdeConfig(registry), false).serializer())) {
                for (int i = 0; i < embeddings; i++) {
                    boolean match = rnd.nextDouble() < matchShare;
                    planted += match ? 1 : 0;
                    List<Float> v = new ArrayList<>(dim);
                    for (int d = 0; d < dim; d++) {
                        v.add(proto[d] + (float) ((match ? 0.05 : 1.0) * rnd.nextGaussian()));
                    }
                    long at = now - span + (long) ((double) span * i / embeddings);
                    String sop = "bench-" + i;
                    p.send(new ProducerRecord<>(Topics.EMBEDDINGS, null, at, sop, ImageEmbedding.newBuilder().setSopInstanceUid(sop)
                            .setPatientPseudonym("p" + (i % 10_000)).setModel(ref).setVector(v).setReceivedAt(Instant.ofEpochMilli(at)).build()));
                    if ((i + 1) % 200_000 == 0) {
                        System.err.printf("bench rescan: %,d/%,d written%n", i + 1, embeddings);
                    }
                }
                p.flush();
            }
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            // The cut between the two populations, in the model's own metric: 3 sd of the near ones vs half an sd of the far ones.
            float[] near = proto.clone();
            float[] far = proto.clone();
            for (int d = 0; d < dim; d++) {
                near[d] += 0.05f * 3;
                far[d] += 0.5f;
            }
            float threshold = (m.distance(near, proto) + m.distance(far, proto)) / 2;

            models.swap(new OnnxModelLoader().load(modelDir));
            StreamMetrics metrics = new StreamMetrics();
            RetrospectiveScanner.Config cfg = new RetrospectiveScanner.Config(bootstrap, registry, KafkaClientProperties.none(),
                    "triage-bench-rescan", "bench", Duration.ofDays(lookbackDays), Duration.ofMinutes(30));
            try (RetrospectiveScanner scanner = new RetrospectiveScanner(cfg, new RegistryEventSerdes(KafkaClientProperties.none().serdeConfig(registry)),
                    models, metrics)) {
                scanner.start();
                List<Float> cv = new ArrayList<>();
                for (float f : classVector) {
                    cv.add(f);
                }
                Instant at = Instant.now();
                LabelPrototype lp = LabelPrototype.newBuilder().setLabelId("bench-disease").setDisplayName("bench disease").setVector(cv)
                        .setVectorEncoder("bench")
                        .setDimension(cv.size()).setKind(PrototypeKind.UNSEEN)
                        .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.ABSOLUTE).setValue((double) threshold).build())
                        .setSeverity(Severity.MEDIUM).setAuthor("bench").setVersion(1).setCreatedAt(at).setUpdatedAt(at).build();
                try (KafkaProducer<String, LabelPrototype> p = new KafkaProducer<>(producerProperties(bootstrap), Serdes.String().serializer(),
                        AvroSerdes.specific(LabelPrototype.class, KafkaClientProperties.none().serdeConfig(registry), false).serializer())) {
                    p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "bench-disease", lp)).get();
                }
                System.err.println("bench rescan: prototype written; the scanner waits its settle time, then scans");
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                while (metrics.rescansCompleted() < 1) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("triage bench rescan: the scan did not complete within 30 min");
                        return 1;
                    }
                    Thread.sleep(200);
                }
            }
            double scanSeconds = metrics.rescanSecondsTotal();
            long matches = metrics.scrape().lines().filter(l -> l.startsWith("triage_stream_rescan_matches_total"))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            out.put("benchmark", "rescan");
            out.put("embeddings", embeddings);
            out.put("dimension", dim);
            out.put("partitions", partitions);
            out.put("model", m.info().ref());
            out.put("distance", m.info().distanceId());
            out.put("writeSeconds", round(writeSeconds));
            out.put("writeEmbeddingsPerSecond", Math.round(embeddings / writeSeconds));
            out.put("scanSeconds", round(scanSeconds));
            out.put("scanEmbeddingsPerSecond", Math.round(embeddings / scanSeconds));
            out.put("plantedMatches", planted);
            out.put("matchesFound", matches);
            out.put("targetSeconds", targetSeconds);
            out.put("targetMet", scanSeconds <= targetSeconds);
            out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
            out.put("loadAverageAtStart", round(loadAtStart));
            out.put("loadAverageAtEnd", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            if (report.toAbsolutePath().getParent() != null) {
                Files.createDirectories(report.toAbsolutePath().getParent());
            }
            Files.write(report, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(out));
            System.out.println(new ObjectMapper().writeValueAsString(out));
            if (matches != planted) {
                System.err.println("triage bench rescan: found " + matches + " matches, planted " + planted + ": the scan is wrong");
                return 1;
            }
            return 0;
        } finally {
            if (randomDir != null) {
                org.triage.schemas.io.Directories.deleteQuietly(randomDir);
            }
        }
    }

    private static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
