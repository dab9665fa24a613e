package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry can require HTTP basic auth: 401 with Confluent's error body without valid credentials. */
class RegistryBasicAuthTest {
    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Guarded\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private SchemaRegistryServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RegistryHttp start(BasicAuth auth) throws Exception {
        server = SchemaRegistryServer.start(new InMemorySchemaLog(), "127.0.0.1", 0, Optional.ofNullable(auth));
        return new RegistryHttp(server.url());
    }

    @Test
    void withoutCredentialsTheAnswerIs401WithAChallengeAndConfluentsErrorBody() throws Exception {
        RegistryHttp anonymous = start(BasicAuth.of("registry:s3cret:with:colons"));
        for (RegistryHttp.Reply r : List.of(anonymous.get("/subjects"), anonymous.get("/"),
                anonymous.post("/subjects/x-value/versions", RegistryHttp.schemaBody(SCHEMA)),
                anonymous.withBasicAuth("registry", "wrong").get("/schemas/types"),
                anonymous.withBasicAuth("nobody", "s3cret:with:colons").get("/config"))) {
            assertEquals(401, r.status(), r.body());
            assertEquals(SchemaRegistryServer.CONTENT_TYPE, r.contentType());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "), r.headers().toString());
            assertEquals(40101, r.errorCode());
            assertFalse(r.json().path("message").asText().isBlank());
        }
        assertEquals(0, anonymous.withBasicAuth("registry", "s3cret:with:colons").get("/subjects").json().size(),
                "nothing was registered by the refused POST");
    }

    @Test
    void knownUsersGetTheUsualApi() throws Exception {
        Path file = tmp.resolve("registry-users");
        Files.writeString(file, "# user:password per line\n\nalice:first-secret\n bob:second-secret \n");
        RegistryHttp registry = start(BasicAuth.fromFile(file).and(BasicAuth.of("carol:third")));
        RegistryHttp alice = registry.withBasicAuth("alice", "first-secret");
        int id = alice.register("guarded-value", SCHEMA);
        assertEquals(SCHEMA, registry.withBasicAuth("bob", "second-secret").get("/schemas/ids/" + id).json().get("schema").asText());
        assertEquals(200, registry.withBasicAuth("carol", "third").get("/subjects/guarded-value/versions").status());
        assertEquals(401, registry.withBasicAuth("alice", "second-secret").get("/subjects").status(), "passwords are per user");
    }

    @Test
    void badSettingsAreRefusedWithoutEchoingTheSecret() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BasicAuth.of("justapassword"));
        assertFalse(e.getMessage().contains("justapassword"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BasicAuth.of("user:"));
        Path file = tmp.resolve("bad");
        Files.writeString(file, "ok:fine\nnot-a-pair-hunter2\n");
        e = assertThrows(IllegalArgumentException.class, () -> BasicAuth.fromFile(file));
        assertTrue(e.getMessage().contains("line 2") && !e.getMessage().contains("hunter2"), e.getMessage());
        Path empty = tmp.resolve("empty");
        Files.writeString(empty, "# nobody yet\n");
        assertThrows(IllegalArgumentException.class, () -> BasicAuth.fromFile(empty));
    }

    @Test
    void openByDefault() throws Exception {
        assertEquals(200, start(null).get("/subjects").status());
    }
}
