package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.triage.schemas.io.Directories;
import org.triage.platform.kafka.EmbeddedKafka;

/**
 * Two registry instances on one {@code _schemas} topic, eight writers racing through both, then compaction
 * and a restart of both: every id handed out still names exactly the schema it was handed out for, on both
 * instances, and no id names two schemas. The transactional single writer is what makes this hold.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RegistrySingleWriterTest {
    private static final String TOPIC = "_schemas_single_writer";
    private static final int THREADS = 8;
    private static final int PER_THREAD = 6;
    private static final String CHURN = "{\"keytype\":\"CONFIG\",\"subject\":\"churn-value\",\"magic\":0}";
    private static final String DOOMED = "{\"keytype\":\"SCHEMA\",\"subject\":\"doomed-value\",\"version\":1,\"magic\":1}";
    private static Path dataDir;
    private static EmbeddedKafka kafka;
    private static final List<SchemaRegistryServer> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("registry-single-writer-");
        // The cleaner looks for work every 100 ms instead of every 5 s.
        kafka = EmbeddedKafka.start(dataDir, 0, Map.of("log.cleaner.backoff.ms", "100"));
        try (Admin admin = admin()) {
            // Segments roll after 200 ms and are cleaned at 1% dirt, so compaction runs within the test.
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact",
                    "segment.ms", "200",
                    "min.cleanable.dirty.ratio", "0.01",
                    "min.compaction.lag.ms", "0",
                    "delete.retention.ms", "100",
                    "max.message.bytes", String.valueOf(KafkaSchemaLog.MAX_RECORD_BYTES))))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        closeRegistries();
        if (kafka != null) {
            kafka.close();
        }
        Directories.deleteQuietly(dataDir);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static SchemaRegistryServer registry() throws Exception {
        SchemaRegistryServer s = SchemaRegistryServer.start(
                new KafkaSchemaLog(kafka.bootstrapServers(), TOPIC, Map.of(), Duration.ofSeconds(60)), "127.0.0.1", 0);
        open.add(s);
        return s;
    }

    private static void closeRegistries() {
        for (SchemaRegistryServer s : open) {
            s.close();
        }
        open.clear();
    }

    private static String schema(int thread, int n) {
        return "{\"type\":\"record\",\"name\":\"W" + thread + "N" + n + "\",\"fields\":[{\"name\":\"f\",\"type\":\"long\"}]}";
    }

    private static String canonical(String avsc) {
        return new Schema.Parser().parse(avsc).toString();
    }

    @Test
    void oneIdNeverNamesTwoSchemasAcrossInstancesCompactionAndRestart() throws Exception {
        SchemaRegistryServer serverA = registry();
        SchemaRegistryServer serverB = registry();
        List<RegistryHttp> both = List.of(new RegistryHttp(serverA.url()), new RegistryHttp(serverB.url()));
        for (int s = 0; s < 3; s++) {
            assertEquals(200, both.get(s % 2).put("/config/sw" + s + "-value", "{\"compatibility\":\"NONE\"}").status());
        }

        // id -> every schema text a registration was answered with that id for
        Map<Integer, Set<String>> sentFor = new ConcurrentHashMap<>();
        Map<String, Integer> idOf = new ConcurrentHashMap<>();
        Set<Integer> commonIds = ConcurrentHashMap.newKeySet();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int n = 0; n < PER_THREAD; n++) {
                        RegistryHttp via = both.get((thread + n) % 2);
                        String avsc = schema(thread, n);
                        int id = via.register("sw" + (n % 3) + "-value", avsc);
                        sentFor.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(canonical(avsc));
                        idOf.put(canonical(avsc), id);
                        // The same key rewritten again and again: what compaction will remove.
                        String level = n % 2 == 0 ? "FULL" : "NONE";
                        RegistryHttp.Reply r = via.put("/config/churn-value", "{\"compatibility\":\"" + level + "\"}");
                        if (r.status() != 200) {
                            throw new AssertionError("config -> " + r.status() + " " + r.body());
                        }
                    }
                    // Everyone registers one identical schema too: one id, whichever instance answers first.
                    commonIds.add(both.get(thread % 2).register("common-value", schema(99, 99)));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long fenced = ((KafkaSchemaLog) logOf(serverA)).fencedRetries() + ((KafkaSchemaLog) logOf(serverB)).fencedRetries();
        System.out.printf("%d registrations and %d config writes through 2 instances in %.1f s; %d writes redone after fencing%n",
                THREADS * (PER_THREAD + 1), THREADS * PER_THREAD, seconds, fenced);
        assertEquals(1, commonIds.size(), "an identical schema has one id: " + commonIds);
        assertEquals(THREADS * PER_THREAD, idOf.size());
        sentFor.forEach((id, schemas) -> assertEquals(1, schemas.size(), "id " + id + " was handed out for " + schemas));
        assertEquals(THREADS * PER_THREAD, sentFor.size(), "distinct schemas, distinct ids");

        assertCommittedLogHasNoConflicts();

        // The highest id so far, permanently deleted: once compaction removes its records, only the id
        // watermark remembers that the id was taken.
        int doomed = both.get(1).register("doomed-value", schema(98, 98));
        assertEquals(200, both.get(0).delete("/subjects/doomed-value").status());
        assertEquals(200, both.get(1).delete("/subjects/doomed-value?permanent=true").status());

        // Roll the segment (one more write after segment.ms) and wait until the cleaner has compacted it.
        int before = records(CHURN, false);
        Thread.sleep(400);
        assertEquals(200, both.get(0).put("/config/churn-value", "{\"compatibility\":\"NONE\"}").status());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int after = records(CHURN, false);
        int doomedLeft = records(DOOMED, true);
        while ((after > 2 || doomedLeft > 0) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            after = records(CHURN, false);
            doomedLeft = records(DOOMED, true);
        }
        assertEquals(0, doomedLeft, "the deleted schema's records are compacted away");
        System.out.printf("compaction: %d committed writes of one config key; in the log %d before the last roll, %d after%n",
                THREADS * PER_THREAD + 1, before, after);
        // 49 committed writes of that key (plus aborted attempts): at most the newest two can remain.
        assertTrue(after <= 2, "the cleaner compacted the log: " + before + " -> " + after);

        assertCommittedLogHasNoConflicts();

        closeRegistries();
        List<RegistryHttp> restarted = List.of(new RegistryHttp(registry().url()), new RegistryHttp(registry().url()));
        for (RegistryHttp via : restarted) {
            for (var e : idOf.entrySet()) {
                RegistryHttp.Reply r = via.get("/schemas/ids/" + e.getValue());
                assertEquals(200, r.status(), "id " + e.getValue() + " after compaction and restart");
                assertEquals(e.getKey(), r.json().get("schema").asText(), "id " + e.getValue() + " names the schema it was given for");
            }
            assertEquals(commonIds.iterator().next(), via.register("common-value", schema(99, 99)));
        }
        for (RegistryHttp via : restarted) {
            assertEquals(404, via.get("/schemas/ids/" + doomed).status(), "permanently deleted");
        }
        int fresh = restarted.get(1).register("sw0-value", schema(100, 0));
        assertTrue(!sentFor.containsKey(fresh) && !commonIds.contains(fresh) && fresh > doomed,
                "a new schema gets an id never handed out, not the deleted " + doomed + ": " + fresh);
        assertEquals(canonical(schema(100, 0)), restarted.get(0).get("/schemas/ids/" + fresh).json().get("schema").asText());
    }

    private static SchemaLog logOf(SchemaRegistryServer server) {
        return server.schemaLog();
    }

    /**
     * The invariant itself, on the log rather than on what a replay makes of it: no committed record gives an
     * id to a second schema, or a subject version to a second id. Without a single writer, racing instances
     * commit such pairs, and which one wins then depends on what compaction has left.
     */
    private static void assertCommittedLogHasNoConflicts() throws Exception {
        Map<Integer, String> schemaOfId = new HashMap<>();
        Map<String, Integer> idOfVersion = new HashMap<>();
        int n = 0;
        for (ConsumerRecord<String, String> r : read("read_committed")) {
            if (r.key() == null || r.value() == null) {
                continue;
            }
            var key = RegistryHttp.JSON.readTree(r.key());
            if (!"SCHEMA".equals(key.path("keytype").asText())) {
                continue;
            }
            var value = RegistryHttp.JSON.readTree(r.value());
            int id = value.get("id").asInt();
            String schema = canonical(value.get("schema").asText());
            String was = schemaOfId.putIfAbsent(id, schema);
            assertTrue(was == null || was.equals(schema), "id " + id + " committed for two schemas: " + was + " and " + schema);
            String version = key.get("subject").asText() + "/" + key.get("version").asInt();
            Integer before = idOfVersion.putIfAbsent(version, id);
            assertTrue(before == null || before == id, version + " committed with ids " + before + " and " + id);
            n++;
        }
        assertTrue(n > 0);
    }

    /** Records of one key physically in the log (aborted and committed alike); tombstones only when asked. */
    private static int records(String key, boolean valuesOnly) {
        int n = 0;
        for (ConsumerRecord<String, String> r : read("read_uncommitted")) {
            if (key.equals(r.key()) && (!valuesOnly || r.value() != null)) {
                n++;
            }
        }
        return n;
    }

    /** The whole schema topic as it is on disk now, with the given isolation level. */
    private static List<ConsumerRecord<String, String>> read(String isolation) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
