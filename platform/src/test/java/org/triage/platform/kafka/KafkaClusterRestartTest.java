package org.triage.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole cluster stopped and started again on its data directory (new controller ports, as after a
 * {@code local-stack --brokers 3 --data-dir} restart) keeps its cluster id, topics and records; a temporary
 * one leaves nothing behind.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KafkaClusterRestartTest {
    @TempDir
    Path tmp;

    @Test
    void aClusterRestartedOnItsDataDirKeepsTopicsAndRecords() throws Exception {
        Path dir = tmp.resolve("cluster");
        String clusterId;
        try (KafkaClusterProcesses cluster = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(3).dataDir(dir))) {
            clusterId = cluster.clusterId();
            IllegalStateException inUse = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(3).dataDir(dir)));
            assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                    "acks", "all"), new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>("kept", "k", "before the restart")).get(60, TimeUnit.SECONDS);
            }
        }
        for (int id = 1; id <= 3; id++) {
            assertTrue(Files.exists(dir.resolve("node-" + id).resolve("kafka").resolve("meta.properties")), "node " + id + " storage kept");
            assertTrue(Files.exists(dir.resolve("node-" + id).resolve("node-" + id + ".log")), "node " + id + " log kept");
        }

        long t0 = System.nanoTime();
        try (KafkaClusterProcesses again = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(3).dataDir(dir))) {
            System.out.printf("cluster restarted on its data dir in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertEquals(clusterId, again.clusterId());
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", again.bootstrapServers(),
                    "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("kept", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                        values.add(r.value());
                    }
                }
            }
            assertEquals(List.of("before the restart"), values);
        }
    }

    @Test
    void aTemporaryClusterLeavesNothingBehind() throws Exception {
        Path root;
        try (KafkaClusterProcesses cluster = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(1))) {
            root = cluster.dataDir();
            assertTrue(Files.isDirectory(root));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
        }
        assertTrue(!Files.exists(root), "temporary storage deleted: " + root);
    }
}
