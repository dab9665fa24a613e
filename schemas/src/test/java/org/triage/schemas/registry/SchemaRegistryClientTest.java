package org.triage.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.events.ModelRef;
import org.triage.schemas.testing.StubSchemaRegistry;

class SchemaRegistryClientTest {
    private static final Schema V1 = ModelRef.getClassSchema();
    private static final Schema V2 = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields()
            .requiredString("name").requiredString("version").name("stage").type().stringType().stringDefault("prod").endRecord();

    private StubSchemaRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new StubSchemaRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private SchemaRegistryClient client(int retries, long waitMs) {
        return new SchemaRegistryClient(registry.url(),
                RegistryClientConfig.defaults().withRetries(retries, Duration.ofMillis(waitMs), Duration.ofMillis(waitMs * 4)));
    }

    @Test
    void registerLookupAndReadBack() {
        SchemaRegistryClient client = client(0, 1);
        int id1 = client.register("refs-value", V1);
        int id2 = client.register("refs-value", V2);
        assertEquals(id1, client.register("refs-value", V1), "registration is idempotent");

        SchemaMetadata found = client.lookup("refs-value", V2);
        assertEquals(new SchemaMetadata("refs-value", id2, 2, V2), found);
        assertEquals(List.of(1, 2), client.getVersions("refs-value"));
        SchemaMetadata latest = client.getLatest("refs-value");
        assertEquals(id2, latest.id());
        assertEquals(2, latest.version());
        assertEquals(V1, client.getVersion("refs-value", 1).schema());
        assertEquals(List.of("refs-value"), client.getSubjects());

        SchemaRegistryClient other = client(0, 1); // empty caches: must fetch
        assertEquals(V1, other.getSchemaById(id1));
        assertEquals(V2, other.getSchemaById(id2));
    }

    @Test
    void errorsCarryConfluentStatusAndErrorCode() {
        SchemaRegistryClient client = client(3, 1);
        SchemaRegistryException unknownId = assertThrows(SchemaRegistryException.class, () -> client.getSchemaById(99));
        assertEquals(404, unknownId.httpStatus());
        assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, unknownId.errorCode());
        assertTrue(unknownId.getMessage().contains("Schema 99 not found"), unknownId.getMessage());

        SchemaRegistryException noSubject = assertThrows(SchemaRegistryException.class, () -> client.lookup("nope-value", V1));
        assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, noSubject.errorCode());

        client.register("refs-value", V1);
        Schema breaking = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields()
                .requiredString("name").requiredString("version").requiredInt("n").endRecord();
        SchemaRegistryException incompatible = assertThrows(SchemaRegistryException.class, () -> client.register("refs-value", breaking));
        assertEquals(409, incompatible.httpStatus());
        assertEquals(SchemaRegistryException.INCOMPATIBLE_SCHEMA, incompatible.errorCode());
        assertFalse(client.testCompatibility("refs-value", breaking));
        assertTrue(client.testCompatibility("refs-value", V2));
        assertTrue(client.testCompatibility("brand-new-value", breaking), "a subject with no versions accepts anything");
    }

    @Test
    void retriesServerErrorsWithExponentialBackoffThenSucceeds() {
        SchemaRegistryClient client = client(3, 40);
        registry.failNext(2, 503);
        long start = System.nanoTime();
        int id = client.register("refs-value", V1);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(1, id);
        assertEquals(3, registry.requests().size(), registry.requests().toString());
        assertEquals(3, client.httpRequestCount());
        assertTrue(elapsedMs >= 40 + 80, "backoff 40 ms then 80 ms, took " + elapsedMs + " ms");
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() {
        SchemaRegistryClient client = client(2, 1);
        registry.failNext(10, 503);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.getSchemaById(1));
        assertEquals(503, e.httpStatus());
        assertEquals(3, registry.requests().size());
        assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
    }

    @Test
    void doesNotRetryClientErrors() {
        SchemaRegistryClient client = client(5, 1);
        registry.failNext(1, 422);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register("refs-value", V1));
        assertEquals(422, e.httpStatus());
        assertEquals(1, registry.requests().size());
    }

    @Test
    void failsOverToTheNextUrl() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        SchemaRegistryClient client = new SchemaRegistryClient("http://127.0.0.1:" + dead + "," + registry.url(),
                RegistryClientConfig.defaults().withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)));
        assertEquals(1, client.register("refs-value", V1));
        assertEquals(V1, client.getLatest("refs-value").schema());
        assertEquals(2, registry.requests().size(), "after failing over, the live URL is used first");
    }

    @Test
    void readsAndSetsCompatibilityLevels() {
        SchemaRegistryClient client = client(0, 1);
        assertEquals("BACKWARD", client.getCompatibility(null));
        assertEquals("BACKWARD", client.getCompatibility("refs-value"), "no subject level: the global one applies");
        assertEquals("FULL", client.setCompatibility("refs-value", "FULL"));
        assertEquals("FULL", client.getCompatibility("refs-value"));
    }

    @Test
    void rejectsUrlsThatAreNotHttp() {
        assertThrows(IllegalArgumentException.class, () -> new SchemaRegistryClient("127.0.0.1:8081"));
        assertThrows(IllegalArgumentException.class, () -> new SchemaRegistryClient(" , "));
    }
}
