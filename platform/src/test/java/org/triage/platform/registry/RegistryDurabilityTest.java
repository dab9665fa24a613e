package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.triage.schemas.io.Directories;
import org.triage.platform.kafka.EmbeddedKafka;
import org.triage.schemas.Topics;

/**
 * The registry's state lives in the {@code _schemas} topic: two instances on one broker agree, and a broker
 * plus registry restarted on the same data directory serve the same ids.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryDurabilityTest {
    private static Path dataDir;
    private static EmbeddedKafka kafka;
    private static final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("registry-durability-");
        kafka = EmbeddedKafka.start(dataDir, 0, Map.of());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        Directories.deleteQuietly(dataDir);
    }

    private static SchemaRegistryServer registry(EmbeddedKafka broker) throws Exception {
        SchemaRegistryServer s = SchemaRegistryServer.start(
                new KafkaSchemaLog(broker.bootstrapServers(), Topics.SCHEMAS, Map.of(), Duration.ofSeconds(30)), "127.0.0.1", 0);
        open.add(s);
        return s;
    }

    static String rec(String name, String field) {
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"" + field + "\",\"type\":\"int\"}]}";
    }

    @Test
    @Order(1)
    void twoInstancesOnOneTopicAgree() throws Exception {
        RegistryHttp a = new RegistryHttp(registry(kafka).url());
        RegistryHttp b = new RegistryHttp(registry(kafka).url());

        int idA = a.register("shared-value", rec("One", "x"));
        // b never saw the write happen, yet answers from the log.
        assertEquals(idA, b.get("/subjects/shared-value/versions/latest").json().get("id").asInt());
        assertEquals(idA, b.register("other-value", rec("One", "x")), "same schema, same id, whichever instance");
        int idB = b.register("shared-value", rec("One", "y") .replace("\"int\"", "\"int\",\"default\":0"));
        assertNotEquals(idA, idB);
        assertEquals(200, a.get("/schemas/ids/" + idB).status(), "an id allocated by b resolves on a");
        assertEquals("[1,2]", a.get("/subjects/shared-value/versions").body());

        // Registrations racing through both instances still end with one id per schema, the same everywhere.
        for (int s = 0; s < 3; s++) {
            assertEquals(200, a.put("/config/race" + s + "-value", "{\"compatibility\":\"NONE\"}").status());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RegistryHttp via = i % 2 == 0 ? a : b;
                String schema = rec("Race" + (i / 2), "f");
                String subject = "race" + (i % 3) + "-value";
                Callable<Integer> task = () -> via.register(subject, schema);
                futures.add(pool.submit(task));
            }
            for (Future<Integer> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 4; i++) {
            String schema = rec("Race" + i, "f");
            Set<Integer> ids = new HashSet<>();
            for (RegistryHttp via : List.of(a, b)) {
                for (int s = 0; s < 3; s++) {
                    RegistryHttp.Reply r = via.post("/subjects/race" + s + "-value", RegistryHttp.schemaBody(schema));
                    if (r.status() == 200) {
                        ids.add(r.json().get("id").asInt());
                    }
                }
            }
            assertEquals(1, ids.size(), "Race" + i + " has one id everywhere: " + ids);
        }
        for (int s = 0; s < 3; s++) {
            assertEquals(a.get("/subjects/race" + s + "-value/versions").body(), b.get("/subjects/race" + s + "-value/versions").body());
        }
    }

    @Test
    @Order(2)
    void restartOnTheSameDataDirServesTheSameIds() throws Exception {
        RegistryHttp before = new RegistryHttp(registry(kafka).url());
        int id1 = before.register("durable-value", rec("Durable", "a"));
        int id2 = before.register("durable2-value", rec("Durable2", "b"));
        assertEquals(200, before.put("/config/durable-value", "{\"compatibility\":\"FULL\"}").status());
        String subjects = before.get("/subjects").body();

        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        String clusterId = kafka.clusterId();
        kafka.close();
        kafka = EmbeddedKafka.start(dataDir, 0, Map.of());
        assertEquals(clusterId, kafka.clusterId(), "storage reused, not reformatted");

        RegistryHttp after = new RegistryHttp(registry(kafka).url());
        assertEquals(subjects, after.get("/subjects").body());
        assertEquals(id1, after.get("/subjects/durable-value/versions/1").json().get("id").asInt());
        assertEquals(id2, after.register("durable2-value", rec("Durable2", "b")));
        assertEquals("FULL", after.get("/config/durable-value").json().get("compatibilityLevel").asText());
        int fresh = after.register("new-after-restart-value", rec("Fresh", "c"));
        assertTrue(fresh > Math.max(id1, id2), "ids keep growing after a restart: " + fresh);
    }
}
