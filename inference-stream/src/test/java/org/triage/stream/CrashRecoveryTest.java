package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.StreamMain;

/**
 * Exactly-once under SIGKILL with several instances: two stream JVMs share a 6-partition
 * radiographs topic; one is killed twice (no shutdown hooks, no flush) while 500 radiographs
 * flow, and restarted each time, so its partitions move, come back and have batches in flight
 * when it dies. Afterwards every radiograph has exactly one committed finding and no alert id
 * appears twice.
 */
@Timeout(300)
class CrashRecoveryTest {
    private static final int IMAGES = 500;
    private static final int PARTITIONS = 6;

    @TempDir
    Path tmp;

    @Test
    void oneOfTwoInstancesKilledTwiceMidStreamEveryRadiographHasExactlyOneFinding() throws Exception {
        try (LocalStack stack = LocalStack.start(org.triage.platform.LocalStackOptions.defaults().partitions(PARTITIONS))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            Path state = Files.createDirectories(tmp.resolve("state-a"));
            Path stateB = Files.createDirectories(tmp.resolve("state-b"));
            try (KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class)) {
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                        Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, true, 0, 1))).get();
            }
            List<Process> all = new ArrayList<>();
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class)) {
                Process p = launch(bootstrap, registry, state, 0, "a");
                all.add(p);
                all.add(launch(bootstrap, registry, stateB, 100, "b"));
                // Images flow steadily (~40/s) from another thread while the stream is killed and restarted.
                java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
                Thread sender = new Thread(() -> {
                    try {
                        while (sent.get() < IMAGES) {
                            sent.set(sendSome(images, sent.get(), Math.min(10, IMAGES - sent.get())));
                            Thread.sleep(250);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "image-sender");
                sender.start();
                for (int kill = 1; kill <= 2; kill++) {
                    Thread.sleep(1200);
                    int at = sent.get();
                    p.destroyForcibly();
                    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "killed process did not exit");
                    System.out.println("SIGKILL " + kill + " after " + at + " images sent");
                    p = launch(bootstrap, registry, state, kill, "a");
                    all.add(p);
                }
                sender.join(60_000);
                assertEquals(IMAGES, sent.get(), "sender finished");
                images.flush();

                List<ConsumerRecord<String, Finding>> findings = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS,
                        Finding.class, Duration.ofSeconds(120), l -> l.size() >= IMAGES);
                Map<String, Integer> perSop = new HashMap<>();
                findings.forEach(r -> perSop.merge(r.value().getSopInstanceUid(), 1, Integer::sum));
                assertEquals(IMAGES, perSop.size(), "every radiograph has a finding");
                assertEquals(IMAGES, findings.size(), "no radiograph has two findings: "
                        + perSop.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList());

                List<ConsumerRecord<String, Alert>> alerts = KafkaTestIo.readUntil(bootstrap, registry, Topics.ALERTS, Alert.class,
                        Duration.ofSeconds(10), l -> l.size() >= IMAGES / 10);
                Set<String> ids = new HashSet<>();
                for (ConsumerRecord<String, Alert> a : alerts) {
                    // A NOVELTY_CLUSTER alert is re-sent under its one id as the cluster grows: one record per size.
                    String fact = a.value().getAlertId() + (a.value().getCluster() == null ? "" : "#" + a.value().getCluster().getSize());
                    assertTrue(ids.add(fact), "duplicate alert " + fact);
                }
                // Every 10th image sits on the covid prototype (unseen, rare): one UNSEEN_CLASS alert each.
                long labelAlerts = alerts.stream().filter(a -> a.value().getLabelId() != null).count();
                assertEquals(IMAGES / 10, labelAlerts);
                for (String name : List.of("0", "1", "2", "100")) {
                    System.out.println("---- stream process " + name + " log (tail)");
                    List<String> lines = Files.readAllLines(tmp.resolve("stream-" + name + ".log"));
                    lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.out::println);
                }
            } finally {
                for (Process p : all) {
                    p.destroyForcibly();
                    p.waitFor(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static int sendSome(KafkaProducer<String, RadiographEvent> p, int from, int n) throws InterruptedException {
        for (int i = from; i < from + n; i++) {
            String sop = "crash-" + i;
            float x = i % 10 == 0 ? 0f : 1f + (i % 7);
            p.send(new ProducerRecord<>(Topics.RADIOGRAPHS, sop, Events.radiograph(sop, FakeEmbedder.image(x, 1), System.currentTimeMillis())));
            if (i % 25 == 0) {
                p.flush();
                Thread.sleep(20);
            }
        }
        p.flush();
        return from + n;
    }

    private Process launch(String bootstrap, String registry, Path state, int n, String instance) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = tmp.resolve("stream-" + n + ".log").toFile();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.triage",
                "-cp", cp, StreamMain.class.getName(), bootstrap, registry, state.toString(), "crash-test", "crash-test-" + instance)
                .redirectErrorStream(true).redirectOutput(log).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log.toPath()).contains("RUNNING")) {
            if (!p.isAlive()) {
                throw new AssertionError("stream process exited: " + Files.readString(log.toPath()));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("stream process not RUNNING in 90 s: " + Files.readString(log.toPath()));
            }
            Thread.sleep(100);
        }
        return p;
    }
}
