package org.triage.schemas.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine;

class KafkaClientPropertiesTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("client.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void fileThenEnvironmentThenCode() throws Exception {
        Path f = file("""
                security.protocol=SASL_PLAINTEXT
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ingest" password="x";
                acks=1
                schema.registry.basic.auth.user.info=svc:pw
                """);
        KafkaClientProperties p = KafkaClientProperties.load(f, "--kafka-config",
                Map.of("TRIAGE_KAFKA_SASL_MECHANISM", "PLAIN", "TRIAGE_KAFKA_CONFIG", f.toString(), "PATH", "/bin",
                        "TRIAGE_KAFKA_SOME__ODD_NAME", "v"));
        assertEquals("PLAIN", p.kafka().get("sasl.mechanism"), "the environment overrides the file");
        assertEquals("v", p.kafka().get("some_odd.name"), "__ is a literal underscore");
        assertNull(p.kafka().get("config"), "TRIAGE_KAFKA_CONFIG names the file, it is no setting");
        assertNull(p.kafka().get("schema.registry.basic.auth.user.info"), "registry keys stay out of the Kafka clients");
        assertEquals("svc:pw", p.serdeConfig("http://r").get("schema.registry.basic.auth.user.info"));
        assertEquals("ingest", p.saslUser());

        Properties code = new Properties();
        code.put("acks", "all");
        p.applyTo(code);
        assertEquals("all", code.get("acks"), "the code's own settings win");
        assertEquals("SASL_PLAINTEXT", code.get("security.protocol"));
        assertTrue(!p.toString().contains("password"), "toString shows keys, never values: " + p);
    }

    @Test
    void missingFileIsOneLineThatSaysWhatToGive() {
        KafkaConfigException e = assertThrows(KafkaConfigException.class,
                () -> KafkaClientProperties.load(Path.of("/x"), "--kafka-config", Map.of()));
        assertEquals("--kafka-config /x: file not found; give a Java properties file with the Kafka client settings "
                + "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...)", e.getMessage());
        assertThrows(KafkaConfigException.class, () -> KafkaClientProperties.load(dir, "--kafka-config", Map.of()));
    }

    @Test
    void noSourcesMeansNoSettings() {
        assertTrue(KafkaClientProperties.load(null, "--kafka-config", Map.of("HOME", "/root")).isEmpty());
    }

    @Test
    void connectionOptionsReadTheFlags() throws Exception {
        Path f = file("security.protocol=SASL_SSL\n");
        ConnectionOptions o = new ConnectionOptions();
        new CommandLine(new Object() {
            @CommandLine.Mixin
            ConnectionOptions c = o;
        }).parseArgs("--kafka-config", f.toString(), "--schema-registry-user-info", "u:p");
        assertEquals("SASL_SSL", o.clientProperties().kafka().get("security.protocol"));
        assertEquals("u:p", o.serdeConfig().get("schema.registry.basic.auth.user.info"));
    }

    @Test
    void authFailuresBecomeOneLine() throws Exception {
        KafkaClientProperties p = KafkaClientProperties.load(file(
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"x\";\n"),
                "--kafka-config", Map.of());
        String line = KafkaAuthErrors.describe(new RuntimeException(new SaslAuthenticationException("Authentication failed: Invalid username or password")),
                "127.0.0.1:9093", p);
        assertTrue(line.startsWith("Kafka authentication failed for user alice at 127.0.0.1:9093: check sasl.mechanism and sasl.jaas.config (in "
                + dir.resolve("client.properties")), line);
        String denied = KafkaAuthErrors.describe(new TopicAuthorizationException(java.util.Set.of("findings")), "b:1", p);
        assertTrue(denied.startsWith("Kafka denied user alice access to topic(s) [findings]"), denied);
        assertNull(KafkaAuthErrors.describe(new RuntimeException("other"), "b:1", p));
    }
}
