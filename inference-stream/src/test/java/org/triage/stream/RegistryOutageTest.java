package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.platform.registry.SchemaRegistryServer;
import org.triage.schemas.Topics;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;

/**
 * The schema registry stops for 20 s mid-stream. The stream instance is restarted during the
 * outage (so no schema is cached: every record needs the registry), radiographs keep arriving,
 * and the registry then comes back on the same port. Nothing may go to the DLQ, and every
 * radiograph gets exactly one finding once the registry is back.
 */
@Timeout(240)
class RegistryOutageTest {
    private static final int BEFORE = 20;
    private static final int DURING = 30;
    private static final long OUTAGE_MS = 20_000;

    @TempDir
    Path tmp;

    @Test
    void aTwentySecondRegistryOutageDlqsNothingAndEveryFindingArrivesAfterItReturns() throws Exception {
        int registryPort = org.triage.platform.internal.Ports.free("127.0.0.1");
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().partitions(2).registryPort(registryPort))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            Path state = Files.createDirectories(tmp.resolve("state"));
            SchemaRegistryServer restarted = null;
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class)) {
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                        Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1))).get();
                try (InferenceStream first = stream(bootstrap, registry, state)) {
                    first.start();
                    first.awaitRunning(Duration.ofSeconds(60));
                    send(images, 0, BEFORE);
                    awaitFindings(bootstrap, registry, BEFORE, Duration.ofSeconds(60));
                }

                stack.registry().close();
                long outageStart = System.nanoTime();
                System.out.println("registry stopped");
                try (InferenceStream second = stream(bootstrap, registry, state)) {
                    second.start();
                    second.awaitRunning(Duration.ofSeconds(60));
                    // The producer has the schema id cached: radiographs keep arriving during the outage.
                    send(images, BEFORE, DURING);
                    String degraded = null;
                    while (System.nanoTime() - outageStart < OUTAGE_MS * 1_000_000) {
                        if (degraded == null) {
                            degraded = second.healthProblem();
                        }
                        Thread.sleep(200);
                    }
                    assertNotNull(degraded, "health reported the outage");
                    System.out.println("health during the outage: " + degraded);
                    assertTrue(second.metrics().findings() == 0, "nothing scored without the registry: " + second.metrics());

                    restarted = SchemaRegistryServer.start(bootstrap, "127.0.0.1", registryPort);
                    long back = System.nanoTime();
                    System.out.println("registry back after " + (back - outageStart) / 1_000_000 + " ms");
                    List<ConsumerRecord<String, Finding>> findings = awaitFindings(bootstrap, registry, BEFORE + DURING,
                            Duration.ofSeconds(120));
                    double recovery = (System.nanoTime() - back) / 1e9;
                    Map<String, Integer> perSop = new HashMap<>();
                    findings.forEach(r -> perSop.merge(r.key(), 1, Integer::sum));
                    assertEquals(BEFORE + DURING, perSop.size(), "every radiograph has a finding");
                    assertEquals(BEFORE + DURING, findings.size(), "none has two");
                    assertEquals(0, dlqCount(bootstrap), "nothing went to the DLQ");
                    assertTrue(second.meters().infrastructureFailures().getOrDefault("schema-registry", 0L) > 0,
                            "the outage was counted: " + second.meters().infrastructureFailures());
                    System.out.printf("registry outage %.1f s: lost 0, duplicated 0, DLQ'd 0, all findings %.1f s after it returned%n",
                            OUTAGE_MS / 1000.0, recovery);
                }
            } finally {
                if (restarted != null) {
                    restarted.close();
                }
            }
        }
    }

    private static InferenceStream stream(String bootstrap, String registry, Path state) {
        return InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry).applicationId("outage-test")
                .stateDir(state).modelDir(state).modelLoader(dir -> new FakeEmbedder("v1", 2)).maxBatch(8).maxDelayMs(20)
                // One static member, stopped and started again: it takes its partitions back at once.
                .property(org.apache.kafka.streams.StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "outage-instance")
                .property(org.apache.kafka.streams.StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000)
                .build();
    }

    private static void send(KafkaProducer<String, RadiographEvent> p, int from, int n) {
        for (int i = from; i < from + n; i++) {
            String sop = "outage-" + i;
            p.send(new ProducerRecord<>(Topics.RADIOGRAPHS, sop, Events.radiograph(sop, FakeEmbedder.image(1 + i % 5, 1),
                    System.currentTimeMillis())));
        }
        p.flush();
    }

    private static List<ConsumerRecord<String, Finding>> awaitFindings(String bootstrap, String registry, int n, Duration timeout) {
        List<ConsumerRecord<String, Finding>> f = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, timeout,
                l -> l.size() >= n);
        assertEquals(n, f.size(), "findings");
        return f;
    }

    private static long dlqCount(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.RADIOGRAPHS_DLQ, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(Topics.RADIOGRAPHS_DLQ, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long n = 0;
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(200)).count();
            }
            return n;
        }
    }
}
