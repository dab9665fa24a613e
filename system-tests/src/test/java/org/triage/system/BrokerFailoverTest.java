package org.triage.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.ingest.IngestService;
import org.triage.ingest.pipeline.IngestResult;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.platform.kafka.KafkaClusterProcesses;
import org.triage.schemas.Topics;
import org.triage.stream.InferenceStream;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * A broker of three is SIGKILLed while 300 radiographs are ingested and streamed: topics have
 * replication factor 3 and min.insync.replicas 2, ingest acknowledges a film only after acks=all,
 * and the stream is exactly-once. Every acknowledged film must arrive once and get exactly one
 * finding; the broker then comes back and catches up.
 */
@Timeout(600)
class BrokerFailoverTest {
    private static final int FILMS = 300;
    private static final int KILL_AT = 100;
    private static final int RESTART_AT = 220;

    @TempDir
    Path tmp;

    @Test
    void aBrokerKilledDuringIngestAndStreamingLosesAndDuplicatesNothing() throws Exception {
        Path model = TinyModel.create(tmp.resolve("model"), "tiny", "1", 3);
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().brokers(3).partitions(3))) {
            KafkaClusterProcesses cluster = stack.cluster().orElseThrow();
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            IngestService.Options options = IngestService.Options.demo(bootstrap, registry)
                    .withQuarantine(Files.createDirectories(tmp.resolve("quarantine")), 1L << 30);
            Set<String> acknowledged = new HashSet<>();
            int refused = 0;
            long killedAt = 0;
            long restartedAt = 0;
            try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                    .applicationId("failover-test").stateDir(tmp.resolve("state")).modelDir(model).maxBatch(8).maxDelayMs(50).build();
                 IngestService ingest = IngestService.start(options)) {
                stream.start();
                stream.awaitRunning(Duration.ofSeconds(90));
                for (int i = 0; i < FILMS; i++) {
                    if (i == KILL_AT) {
                        cluster.kill(1);
                        killedAt = System.nanoTime();
                        System.out.println("SIGKILL broker node " + cluster.nodeId(1) + " after " + i + " films");
                    }
                    if (i == RESTART_AT) {
                        cluster.restart(1);
                        restartedAt = System.nanoTime();
                        System.out.println("broker node " + cluster.nodeId(1) + " restarted after " + i + " films");
                    }
                    IngestResult r = ingest.pipeline().ingestFileBytes(TinyModel.png(64, 1000 + i), "files", null, List.of());
                    if (r.status() == 0) {
                        acknowledged.add(r.sopInstanceUid()); // the Kafka key (replacement UID), what events and findings carry
                    } else {
                        refused++; // told to retry: not acknowledged, so not counted as lost
                    }
                }
                List<ConsumerRecord<String, byte[]>> events = SystemTestSupport.readRaw(bootstrap, Topics.RADIOGRAPHS,
                        acknowledged.size(), Duration.ofSeconds(120));
                Map<String, Integer> perEvent = new HashMap<>();
                events.forEach(e -> perEvent.merge(e.key(), 1, Integer::sum));
                long lost = acknowledged.stream().filter(s -> !perEvent.containsKey(s)).count();
                long duplicatedEvents = perEvent.values().stream().filter(n -> n > 1).count();
                List<ConsumerRecord<String, Finding>> findings = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                        Duration.ofSeconds(180), l -> l.size() >= perEvent.size());
                Map<String, Integer> perSop = new HashMap<>();
                findings.forEach(f -> perSop.merge(f.key(), 1, Integer::sum));
                long unscored = acknowledged.stream().filter(s -> !perSop.containsKey(s)).count();
                long duplicatedFindings = perSop.values().stream().filter(n -> n > 1).count();
                double downSeconds = (restartedAt - killedAt) / 1e9;
                System.out.printf("broker failover: %d films, %d acknowledged, %d refused for retry, lost %d, duplicated events %d, "
                                + "unscored %d, duplicated findings %d, broker down %.1f s%n", FILMS, acknowledged.size(), refused, lost,
                        duplicatedEvents, unscored, duplicatedFindings, downSeconds);
                assertTrue(acknowledged.size() >= FILMS * 9 / 10, "ingest kept acknowledging with two brokers of three: " + acknowledged.size());
                assertEquals(0, lost, "no acknowledged film lost");
                assertEquals(0, duplicatedEvents, "no film stored twice");
                assertEquals(0, unscored, "every acknowledged film scored");
                assertEquals(0, duplicatedFindings, "no film scored twice");
                assertEquals(0, stream.metrics().dlq().values().stream().mapToLong(Long::longValue).sum(), "nothing DLQ'd by the stream");
            }
        }
    }
}
