package org.triage.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.triage.platform.ReplicationPolicy;
import org.triage.platform.TopicProvisioner;
import org.triage.schemas.Topics;

/**
 * Three KRaft nodes in three JVMs: a topic with three replicas and min.insync.replicas=2 keeps taking
 * acks=all writes while the partition leader is SIGKILLed and later restarted, and a read_committed consumer
 * then reads every acknowledged record exactly once.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KafkaClusterFailoverTest {
    private static final int RECORDS = 300;
    private static KafkaClusterProcesses cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        cluster = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(3));
        System.out.printf("cluster of 3 up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            long t0 = System.nanoTime();
            cluster.close();
            System.out.printf("cluster stopped in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < cluster.size(); i++) {
                assertFalse(cluster.isAlive(i), "node " + cluster.nodeId(i) + " stopped");
            }
        }
    }

    @Test
    void provisionedTopicsHaveThreeReplicasAndTwoInSync() throws Exception {
        TopicProvisioner.forBrokers(2, 3).provision(admin, 60_000);
        TopicDescription d = describe(Topics.RADIOGRAPHS);
        assertEquals(2, d.partitions().size());
        d.partitions().forEach(p -> assertEquals(3, p.replicas().size(), "replicas of " + p));
        for (String topic : List.of(Topics.RADIOGRAPHS, Topics.LABEL_PROTOTYPES, Topics.FINDINGS)) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = whilePropagating(() -> admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r));
            assertEquals("2", c.get("min.insync.replicas").value(), topic);
        }
        assertEquals(Map.of(), ReplicationPolicy.forBrokers(1).topicConfigs(), "a single broker keeps its defaults");
    }

    @Test
    void acknowledgedRecordsSurviveAKilledLeaderExactlyOnce() throws Exception {
        String topic = "failover";
        ReplicationPolicy policy = ReplicationPolicy.forBrokers(cluster.size());
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(3), policy.replicationFactor()).configs(policy.topicConfigs())))
                .all().get(60, TimeUnit.SECONDS);
        int leader = leaderOf(topic, 0);
        int victim = leader - 1;

        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EmbeddedKafka.MAX_MESSAGE_BYTES);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Void> restarted = null;
        double[] failoverSeconds = {-1};
        List<Long> ackTimes = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        long killedAt = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String value = "record-" + i;
                producer.send(new ProducerRecord<>(topic, "key-" + i, value), (md, e) -> {
                    if (e == null) {
                        acked.add(value);
                        ackTimes.add(System.nanoTime());
                    } else {
                        failed.incrementAndGet();
                    }
                });
                if (i == RECORDS / 3) {
                    cluster.kill(victim);
                    killedAt = System.nanoTime();
                }
                if (i == 2 * RECORDS / 3) {
                    // Restarting takes seconds; the producer keeps writing meanwhile.
                    long killed = killedAt;
                    restarted = CompletableFuture.runAsync(() -> {
                        try {
                            // First prove the survivors took over without the dead node, then bring it back.
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                            while (leaderOf(topic, 0) == leader && System.nanoTime() < deadline) {
                                Thread.sleep(100);
                            }
                            failoverSeconds[0] = (System.nanoTime() - killed) / 1e9;
                            cluster.restart(victim);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
                Thread.sleep(15);
            }
            producer.flush();
            System.out.printf("%d records sent in %.1f s (%d acknowledged, %d failed), node %d killed at %.1f s%n", RECORDS,
                    (System.nanoTime() - t0) / 1e9, acked.size(), failed.get(), leader, (killedAt - t0) / 1e9);

            restarted.get(180, TimeUnit.SECONDS);
            System.out.printf("partition 0 led by node %d instead %.1f s after the kill; node %d back after %.1f s;"
                    + " longest pause between acknowledgements %.1f s%n", leaderOf(topic, 0), failoverSeconds[0], leader,
                    (System.nanoTime() - killedAt) / 1e9, longestGap(ackTimes) / 1e9);
            assertTrue(failoverSeconds[0] > 0, "leadership moved off the killed node while it was down");
            // The cluster at full strength takes our maximum record size with every replica involved.
            byte[] big = new byte[org.triage.schemas.RecordSizes.MAX_EVENT_BYTES];
            try (KafkaProducer<byte[], byte[]> bigProducer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                assertEquals(0, bigProducer.send(new ProducerRecord<>("big", big)).get(120, TimeUnit.SECONDS).partition());
            }
        }
        assertEquals(0, failed.get(), "every record acknowledged: one node down of three leaves two in sync");
        assertEquals(RECORDS, acked.size());
        long isrDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (isrOf(topic, 0) < 3 && System.nanoTime() < isrDeadline) {
            Thread.sleep(250);
        }
        assertEquals(3, isrOf(topic, 0), "the restarted node caught up and is in sync again");

        List<String> seen = readCommitted(topic, 3);
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no duplicates: " + duplicates(seen));
        Set<String> missing = new HashSet<>(acked);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "acknowledged but not read: " + missing);
        assertEquals(RECORDS, seen.size());
    }

    /** The partition's leader; waits while a just-created topic has none yet in the metadata we are given. */
    private static int leaderOf(String topic, int partition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            TopicDescription d = describe(topic);
            var leader = d.partitions().get(partition).leader();
            if (leader != null && !leader.isEmpty()) {
                return leader.id();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(topic + "-" + partition + " has no leader");
            }
            Thread.sleep(100);
        }
    }

    private static int isrOf(String topic, int partition) throws Exception {
        return describe(topic).partitions().get(partition).isr().size();
    }

    /**
     * A topic's description. Right after a create, the broker that answers may not have the new metadata yet
     * (UnknownTopicOrPartition): that is ordinary propagation, so it is retried for a while.
     */
    private static TopicDescription describe(String topic) throws Exception {
        return whilePropagating(() -> admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic));
    }

    private static <T> T whilePropagating(java.util.concurrent.Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<String> readCommitted(String topic, int partitions) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], String> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    private static long longestGap(List<Long> times) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        long gap = 0;
        for (int i = 1; i < sorted.size(); i++) {
            gap = Math.max(gap, sorted.get(i) - sorted.get(i - 1));
        }
        return gap;
    }

    private static List<String> duplicates(List<String> values) {
        Set<String> once = new HashSet<>();
        List<String> dup = new ArrayList<>();
        for (String v : values) {
            if (!once.add(v)) {
                dup.add(v);
            }
        }
        Collections.sort(dup);
        return dup;
    }
}
