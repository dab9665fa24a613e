package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.platform.registry.RegistryHttp.Reply;

/** Conformance of the registry's REST API with Confluent's, endpoint by endpoint, against the Kafka-backed server. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryApiTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static LocalStack stack;
    private static RegistryHttp http;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(LocalStackOptions.defaults().provisionTopics(false));
        http = new RegistryHttp(stack.schemaRegistryUrl());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A fresh subject per test, so tests share one registry without seeing each other. */
    private static String subject() {
        return "s" + SEQ.incrementAndGet() + "-value";
    }

    /** A record schema named R with the given field definitions (JSON objects). */
    static String rec(String... fields) {
        return "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"org.triage.test\",\"fields\":[" + String.join(",", fields) + "]}";
    }

    static final String A = rec("{\"name\":\"a\",\"type\":\"int\"}");
    static final String A_B = rec("{\"name\":\"a\",\"type\":\"int\"}", "{\"name\":\"b\",\"type\":\"string\"}");
    static final String A_BDEF = rec("{\"name\":\"a\",\"type\":\"int\"}", "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}");
    static final String ADEF = rec("{\"name\":\"a\",\"type\":\"int\",\"default\":0}");
    static final String Z = rec("{\"name\":\"z\",\"type\":\"int\",\"default\":1}");
    static final String A_STRING = rec("{\"name\":\"a\",\"type\":\"string\"}");

    @Test
    void registeringReturnsAnIdAndTheSameSchemaKeepsIt() {
        String s = subject();
        String unique = rec("{\"name\":\"u" + SEQ.incrementAndGet() + "\",\"type\":\"long\"}");
        Reply first = http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody(unique));
        assertEquals(200, first.status(), first.body());
        assertEquals(SchemaRegistryServer.CONTENT_TYPE, first.contentType());
        int id = first.json().get("id").asInt();
        assertTrue(id > 0);
        assertEquals(1, first.json().size(), "Confluent answers {\"id\": N} only: " + first.body());

        assertEquals(id, http.register(s, unique), "identical schema again: same id, no new version");
        // Whitespace and key order do not make another schema.
        String reformatted = unique.replace(",", " , ").replace(":", " : ");
        assertEquals(id, http.register(s, reformatted));
        assertEquals("[1]", http.get("/subjects/" + s + "/versions").body());

        String other = subject();
        assertEquals(id, http.register(other, unique), "the same schema under another subject shares the id");
        assertEquals("[1]", http.get("/subjects/" + other + "/versions").body());
    }

    @Test
    void schemasById() {
        String s = subject();
        int id = http.register(s, A_BDEF);
        Reply r = http.get("/schemas/ids/" + id);
        assertEquals(200, r.status());
        assertEquals(new Schema.Parser().parse(A_BDEF), new Schema.Parser().parse(r.json().get("schema").asText()));
        assertFalse(r.json().has("schemaType"), "AVRO is implied, as in Confluent");

        Reply withSubject = http.get("/schemas/ids/" + id + "?subject=" + s);
        assertEquals(200, withSubject.status());
        assertEquals(r.json().get("schema"), withSubject.json().get("schema"));

        Reply raw = http.get("/schemas/ids/" + id + "/schema");
        assertEquals(200, raw.status());
        assertEquals("R", raw.json().get("name").asText());

        Reply versions = http.get("/schemas/ids/" + id + "/versions");
        assertTrue(versions.body().contains("\"subject\":\"" + s + "\""), versions.body());

        Reply missing = http.get("/schemas/ids/987654");
        assertEquals(404, missing.status());
        assertEquals(RegistryException.SCHEMA_NOT_FOUND, missing.errorCode());
        assertTrue(missing.json().get("message").asText().contains("987654"));
    }

    @Test
    void subjectsAndVersions() {
        String s = subject();
        int id1 = http.register(s, A);
        int id2 = http.register(s, A_BDEF);
        assertNotEquals(id1, id2);

        assertTrue(listOf(http.get("/subjects").json()).contains(s));
        assertEquals("[1,2]", http.get("/subjects/" + s + "/versions").body());

        JsonNode latest = http.get("/subjects/" + s + "/versions/latest").json();
        assertEquals(s, latest.get("subject").asText());
        assertEquals(2, latest.get("version").asInt());
        assertEquals(id2, latest.get("id").asInt());
        assertEquals(new Schema.Parser().parse(A_BDEF), new Schema.Parser().parse(latest.get("schema").asText()));

        JsonNode v1 = http.get("/subjects/" + s + "/versions/1").json();
        assertEquals(id1, v1.get("id").asInt());
        assertEquals(latest, http.get("/subjects/" + s + "/versions/-1").json());
        assertEquals("R", http.get("/subjects/" + s + "/versions/1/schema").json().get("name").asText());

        Reply noSubject = http.get("/subjects/nope-" + s + "/versions");
        assertEquals(404, noSubject.status());
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, noSubject.errorCode());
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, http.get("/subjects/nope-" + s + "/versions/latest").errorCode());

        Reply noVersion = http.get("/subjects/" + s + "/versions/7");
        assertEquals(404, noVersion.status());
        assertEquals(RegistryException.VERSION_NOT_FOUND, noVersion.errorCode());

        for (String bad : List.of("abc", "0", "-2", "1.5")) {
            Reply r = http.get("/subjects/" + s + "/versions/" + bad);
            assertEquals(422, r.status(), bad);
            assertEquals(RegistryException.INVALID_VERSION, r.errorCode(), bad);
        }
    }

    @Test
    void lookupUnderSubject() {
        String s = subject();
        int id = http.register(s, A);
        http.register(s, A_BDEF);
        Reply found = http.post("/subjects/" + s, RegistryHttp.schemaBody(A));
        assertEquals(200, found.status(), found.body());
        assertEquals(id, found.json().get("id").asInt());
        assertEquals(1, found.json().get("version").asInt());
        assertEquals(s, found.json().get("subject").asText());

        Reply notThere = http.post("/subjects/" + s, RegistryHttp.schemaBody(Z));
        assertEquals(404, notThere.status());
        assertEquals(RegistryException.SCHEMA_NOT_FOUND, notThere.errorCode());

        Reply noSubject = http.post("/subjects/nope-" + s, RegistryHttp.schemaBody(A));
        assertEquals(404, noSubject.status());
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, noSubject.errorCode());
    }

    @Test
    void deleteSubjectSoftThenPermanent() {
        String s = subject();
        int id = http.register(s, A);
        http.register(s, A_BDEF);

        Reply notSoftDeleted = http.delete("/subjects/" + s + "?permanent=true");
        assertEquals(404, notSoftDeleted.status());
        assertEquals(RegistryException.SUBJECT_NOT_SOFT_DELETED, notSoftDeleted.errorCode());

        Reply deleted = http.delete("/subjects/" + s);
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("[1,2]", deleted.body());
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, http.get("/subjects/" + s + "/versions").errorCode());
        assertFalse(listOf(http.get("/subjects").json()).contains(s));
        assertTrue(listOf(http.get("/subjects?deleted=true").json()).contains(s));
        assertEquals(200, http.get("/schemas/ids/" + id).status(), "soft-deleted schemas still decode old records");

        // Numbering continues after a soft delete, as in Confluent.
        int again = http.register(s, A);
        assertEquals(id, again);
        assertEquals("[3]", http.get("/subjects/" + s + "/versions").body());

        assertEquals("[3]", http.delete("/subjects/" + s).body());
        Reply hard = http.delete("/subjects/" + s + "?permanent=true");
        assertEquals(200, hard.status(), hard.body());
        assertEquals("[1,2,3]", hard.body());
        assertFalse(listOf(http.get("/subjects?deleted=true").json()).contains(s));
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, http.delete("/subjects/" + s).errorCode());
    }

    @Test
    void deleteOneVersion() {
        String s = subject();
        http.register(s, A);
        http.register(s, A_BDEF);
        Reply r = http.delete("/subjects/" + s + "/versions/1");
        assertEquals(200, r.status(), r.body());
        assertEquals("1", r.body());
        assertEquals("[2]", http.get("/subjects/" + s + "/versions").body());
        assertEquals(RegistryException.VERSION_NOT_FOUND, http.get("/subjects/" + s + "/versions/1").errorCode());
        assertEquals(200, http.get("/subjects/" + s + "/versions/1?deleted=true").status());
    }

    @Test
    void subjectConfig() {
        String s = subject();
        Reply none = http.get("/config/" + s);
        assertEquals(404, none.status());
        assertEquals(RegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED, none.errorCode());
        assertEquals("BACKWARD", http.get("/config/" + s + "?defaultToGlobal=true").json().get("compatibilityLevel").asText());

        Reply put = http.put("/config/" + s, "{\"compatibility\":\"FULL_TRANSITIVE\"}");
        assertEquals(200, put.status(), put.body());
        assertEquals("FULL_TRANSITIVE", put.json().get("compatibility").asText());
        Reply got = http.get("/config/" + s);
        assertEquals(200, got.status());
        assertEquals("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}", got.body());

        Reply bad = http.put("/config/" + s, "{\"compatibility\":\"SIDEWAYS\"}");
        assertEquals(422, bad.status());
        assertEquals(RegistryException.INVALID_COMPATIBILITY_LEVEL, bad.errorCode());

        assertEquals("FULL_TRANSITIVE", http.delete("/config/" + s).json().get("compatibilityLevel").asText());
        assertEquals(404, http.get("/config/" + s).status());
    }

    @Test
    void globalConfigDecidesForSubjectsWithoutTheirOwn() {
        assertEquals("BACKWARD", http.get("/config").json().get("compatibilityLevel").asText());
        String s = subject();
        http.register(s, A);
        try {
            assertEquals(200, http.put("/config", "{\"compatibility\":\"NONE\"}").status());
            assertEquals("NONE", http.get("/config").json().get("compatibilityLevel").asText());
            assertEquals(200, http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody(A_STRING)).status());
        } finally {
            Reply reset = http.delete("/config");
            assertEquals(200, reset.status(), reset.body());
            assertEquals("NONE", reset.json().get("compatibilityLevel").asText(), "DELETE /config answers the level it removed");
        }
        assertEquals("BACKWARD", http.get("/config").json().get("compatibilityLevel").asText(), "back to the default");
        Reply refused = http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody(A_B));
        assertEquals(409, refused.status(), refused.body());
    }

    /** Each level against histories built so that only the right reading of the level gives the expected answer. */
    static Stream<Arguments> compatibilityCases() {
        return Stream.of(
                Arguments.of("NONE", List.of(A, A_STRING), true),
                Arguments.of("BACKWARD", List.of(A, A_B), false),
                Arguments.of("BACKWARD", List.of(A, A_BDEF), true),
                Arguments.of("BACKWARD", List.of(A_B, A), true),
                Arguments.of("FORWARD", List.of(A_B, A), false),
                Arguments.of("FORWARD", List.of(A, A_B), true),
                Arguments.of("FULL", List.of(A, A_B), false),
                Arguments.of("FULL", List.of(A_B, A), false),
                Arguments.of("FULL", List.of(A, A_BDEF), true),
                // Transitive levels differ from the plain ones only against versions before the latest.
                Arguments.of("BACKWARD", List.of(A, A_BDEF, A_B), true),
                Arguments.of("BACKWARD_TRANSITIVE", List.of(A, A_BDEF, A_B), false),
                Arguments.of("FORWARD", List.of(A, ADEF, Z), true),
                Arguments.of("FORWARD_TRANSITIVE", List.of(A, ADEF, Z), false),
                Arguments.of("FULL", List.of(A, A_BDEF, A_B), true),
                Arguments.of("FULL_TRANSITIVE", List.of(A, A_BDEF, A_B), false));
    }

    @ParameterizedTest(name = "{0}: {1} -> accepted={2}")
    @MethodSource("compatibilityCases")
    void compatibilityLevels(String level, List<String> history, boolean lastAccepted) {
        String s = subject();
        assertEquals(200, http.put("/config/" + s, "{\"compatibility\":\"" + level + "\"}").status());
        for (String earlier : history.subList(0, history.size() - 1)) {
            http.register(s, earlier);
        }
        String last = history.get(history.size() - 1);

        Reply check = http.post("/compatibility/subjects/" + s + "/versions/latest?verbose=true", RegistryHttp.schemaBody(last));
        assertEquals(200, check.status(), check.body());
        assertEquals(lastAccepted, check.json().get("is_compatible").asBoolean(), check.body());
        assertEquals(lastAccepted, check.json().get("messages").isEmpty(), check.body());

        Reply r = http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody(last));
        if (lastAccepted) {
            assertEquals(200, r.status(), r.body());
        } else {
            assertEquals(409, r.status(), r.body());
            assertEquals(RegistryException.INCOMPATIBLE_SCHEMA, r.errorCode());
            assertTrue(r.json().get("message").asText().contains("incompatible"), r.body());
            assertEquals(history.size() - 1, http.get("/subjects/" + s + "/versions").json().size(), "nothing registered");
        }
    }

    @Test
    void compatibilityEndpointErrors() {
        String s = subject();
        http.register(s, A);
        Reply noSubject = http.post("/compatibility/subjects/nope-" + s + "/versions/latest", RegistryHttp.schemaBody(A));
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, noSubject.errorCode());
        Reply noVersion = http.post("/compatibility/subjects/" + s + "/versions/9", RegistryHttp.schemaBody(A));
        assertEquals(RegistryException.VERSION_NOT_FOUND, noVersion.errorCode());
        Reply badVersion = http.post("/compatibility/subjects/" + s + "/versions/zero", RegistryHttp.schemaBody(A));
        assertEquals(RegistryException.INVALID_VERSION, badVersion.errorCode());
        Reply badSchema = http.post("/compatibility/subjects/" + s + "/versions/1", RegistryHttp.schemaBody("{\"type\":\"nonsense\"}"));
        assertEquals(RegistryException.INVALID_SCHEMA, badSchema.errorCode());
        Reply specific = http.post("/compatibility/subjects/" + s + "/versions/1", RegistryHttp.schemaBody(A_BDEF));
        assertTrue(specific.json().get("is_compatible").asBoolean(), specific.body());
        assertFalse(specific.json().has("messages"), "messages only with ?verbose=true");
    }

    @Test
    void badInputGetsConfluentErrorsAndNeverBreaksTheServer() {
        String s = subject();
        List<Reply> replies = new ArrayList<>();
        replies.add(http.post("/subjects/" + s + "/versions", "{not json"));
        replies.add(http.post("/subjects/" + s + "/versions", "[1,2]"));
        replies.add(http.post("/subjects/" + s + "/versions", "{}"));
        replies.add(http.post("/subjects/" + s + "/versions", "{\"schema\":42}"));
        replies.add(http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody("{\"type\":\"record\",\"name\":\"X\"}")));
        replies.add(http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"f\",\"type\":\"int\",\"default\":\"str\"}]}")));
        replies.add(http.post("/subjects/" + s + "/versions", RegistryHttp.schemaBody("not even json")));
        replies.add(http.post("/subjects/" + s + "/versions", "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"));
        replies.add(http.post("/subjects/" + s + "/versions",
                "{\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"y\",\"version\":1}]}"));
        for (Reply r : replies) {
            assertEquals(422, r.status(), r.body());
            assertEquals(RegistryException.INVALID_SCHEMA, r.errorCode(), r.body());
            assertFalse(r.json().get("message").asText().isBlank());
        }
        assertTrue(replies.get(7).json().get("message").asText().contains("PROTOBUF"));
        assertEquals(RegistryException.SUBJECT_NOT_FOUND, http.get("/subjects/" + s + "/versions").errorCode(), "nothing registered");

        byte[] tooBig = new byte[SchemaRegistryServer.MAX_BODY_BYTES + 1];
        for (int i = 0; i < 3; i++) {
            // The client must get the 413, not a connection reset while it is still sending.
            Reply huge = http.post("/subjects/" + s + "/versions", tooBig);
            assertEquals(413, huge.status());
            assertEquals(413, huge.errorCode());
        }

        // Still serving.
        assertTrue(http.register(s, A) > 0);
    }

    @Test
    void unknownPathsArePlain404sAndPrimitiveSchemasWork() {
        for (String path : List.of("/associations/resources/-/topic", "/associations", "/nope", "/schemas/guids/abc", "/subjects/x/other")) {
            Reply r = http.get(path);
            assertEquals(404, r.status(), path);
            assertEquals(404, r.errorCode(), path);
        }
        assertEquals(405, http.put("/subjects", "{}").status());
        assertEquals("[\"AVRO\"]", http.get("/schemas/types").body());
        assertEquals("{}", http.get("/").body());

        String s = subject();
        int id = http.register(s, "\"string\"");
        assertEquals("\"string\"", http.get("/schemas/ids/" + id).json().get("schema").asText());
    }

    @Test
    void subjectNamesAreUrlDecoded() {
        String s = "ns.with space/slash-" + SEQ.incrementAndGet();
        String encoded = java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        int id = http.register(encoded, A);
        assertTrue(listOf(http.get("/subjects").json()).contains(s));
        assertEquals(id, http.get("/subjects/" + encoded + "/versions/latest").json().get("id").asInt());
    }

    static List<String> listOf(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
