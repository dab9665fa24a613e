package org.triage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.alerts.AlertsService;
import org.triage.alerts.auth.TokenStore;
import org.triage.platform.TopicProvisioner;
import org.triage.platform.kafka.EmbeddedKafka;
import org.triage.platform.registry.KafkaSchemaLog;
import org.triage.platform.registry.SchemaRegistryServer;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.stream.InferenceStream;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelInfo;

/**
 * A broker with only a SASL_PLAINTEXT (PLAIN) listener and StandardAuthorizer ACLs: the broker's own
 * user is the super user, the client user "alice" may use the project's topics, groups and
 * transactional ids and nothing else. Ingest, tail, the stream and alerts get alice's credentials
 * only through --kafka-config / KafkaClientProperties; wrong credentials give one line and exit.
 */
class SecuredClusterTest {
    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";
    private static final String APP_ID = "triage-secured-stream";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static SchemaRegistryServer registry;
    static Path aliceFile;
    static Path wrongFile;

    static Map<String, Object> saslClient(String user, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "PLAIN");
        c.put("sasl.jaas.config", PLAIN + " username=\"" + user + "\" password=\"" + password + "\";");
        return c;
    }

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> broker = new HashMap<>();
        broker.put("listeners", "SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller.port}");
        broker.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:${port}");
        broker.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        broker.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        broker.put("sasl.enabled.mechanisms", "PLAIN");
        broker.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        broker.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                PLAIN + " username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\" user_alice=\"alice-secret\";");
        broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The controller listener is plaintext on loopback: its principal is ANONYMOUS and must manage the cluster.
        broker.put("super.users", "User:broker;User:ANONYMOUS");
        broker.put("allow.everyone.if.no.acl.found", "false");
        kafka = EmbeddedKafka.start(null, 0, broker);
        Map<String, Object> admin = saslClient("broker", "broker-secret");
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin a = Admin.create(admin)) {
            new TopicProvisioner(1).provision(a, 30_000);
            List<AclBinding> acls = new ArrayList<>();
            for (String t : Topics.ALL) {
                acls.add(allow(ResourceType.TOPIC, t, PatternType.LITERAL));
            }
            // Kafka Streams' internal topics, its consumer group and its transactional ids all start with the application id.
            acls.add(allow(ResourceType.TOPIC, APP_ID, PatternType.PREFIXED));
            acls.add(allow(ResourceType.GROUP, "triage", PatternType.PREFIXED));
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, APP_ID, PatternType.PREFIXED));
            a.createAcls(acls).all().get();
        }
        Map<String, Object> registryClient = saslClient("broker", "broker-secret");
        registry = SchemaRegistryServer.start(new KafkaSchemaLog(kafka.bootstrapServers(), "_schemas", registryClient, Duration.ofSeconds(30)),
                "127.0.0.1", 0);
        aliceFile = dir.resolve("alice.properties");
        Files.writeString(aliceFile, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=" + PLAIN
                + " username=\"alice\" password=\"alice-secret\";\n");
        wrongFile = dir.resolve("wrong.properties");
        Files.writeString(wrongFile, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=" + PLAIN
                + " username=\"alice\" password=\"not-her-password\";\n");
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW));
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
        if (kafka != null) kafka.close();
    }

    record Run(int code, String out, String err) {
    }

    /** Runs a triage command in-process with stdout and stderr captured. */
    static synchronized Run triage(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = TriageMain.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static String[] connection(Path file, String... rest) {
        List<String> a = new ArrayList<>(List.of(rest));
        a.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", registry.url(), "--kafka-config", file.toString()));
        return a.toArray(String[]::new);
    }

    static Path png(String name, long seed) throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_USHORT_GRAY);
        Random rng = new Random(seed);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.getRaster().setSample(x, y, 0, rng.nextInt(65536));
        Path f = dir.resolve(name);
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    /** Enough of a model for the topology; the security path does not depend on what it computes. */
    static final class ConstantEmbedder implements BatchEmbedder {
        public ModelInfo info() {
            return new ModelInfo("const", "1", 2, 2, "euclidean", Map.of(), List.of(), "cpu");
        }
        public float[] preprocess(byte[] image) {
            return new float[] {1, 0};
        }
        public float[][] embed(float[][] batch) {
            return batch;
        }
        public float[][] project(float[][] v) {
            return v;
        }
        public float distance(float[] a, float[] b) {
            return (float) Math.hypot(a[0] - b[0], a[1] - b[1]);
        }
        public void close() {
        }
    }

    @Test
    void everyComponentWorksWithCredentialsFromTheConfigFile() throws Exception {
        Path quarantine = dir.resolve("quarantine");
        Run ingest = triage(connection(aliceFile, "ingest", "files", "--demo-key", "--no-progress", "--quarantine-dir", quarantine.toString(),
                png("a.png", 1).toString(), png("b.png", 2).toString()));
        assertEquals(0, ingest.code(), ingest.err());
        assertTrue(ingest.out().contains("stored=2"), ingest.out());

        Run tail = triage(connection(aliceFile, "tail", Topics.RADIOGRAPHS, "--from-beginning", "--max", "2", "--timeout", "20s"));
        assertEquals(0, tail.code(), tail.err());
        assertEquals(2, tail.out().lines().count(), tail.out());

        Path state = dir.resolve("stream-state");
        try (InferenceStream stream = InferenceStream.builder().bootstrapServers(kafka.bootstrapServers()).schemaRegistryUrl(registry.url())
                .clientProperties(KafkaClientProperties.load(aliceFile, "--kafka-config", Map.of()))
                .applicationId(APP_ID).stateDir(state).modelDir(state).modelLoader(d -> new ConstantEmbedder()).maxBatch(4).maxDelayMs(20).build()) {
            stream.start();
            stream.awaitRunning(Duration.ofSeconds(90));
            Run findings = triage(connection(aliceFile, "tail", Topics.FINDINGS, "--from-beginning", "--max", "2", "--timeout", "60s"));
            assertEquals(0, findings.code(), findings.err());
            assertEquals(2, findings.out().lines().count(), "one finding per radiograph: " + findings.out() + findings.err());
            assertEquals(null, stream.fatalProblem());
        }

        try (AlertsService alerts = AlertsService.builder().bootstrapServers(kafka.bootstrapServers()).schemaRegistryUrl(registry.url())
                .clientProperties(KafkaClientProperties.load(aliceFile, "--kafka-config", Map.of())).port(0)
                .tokens(TokenStore.parse(List.of("secured-cluster-test-token-0123:viewer"), "test")).build().start()) {
            waitFor(() -> alerts.view().isLive(), Duration.ofSeconds(30));
            assertEquals(null, alerts.fatalProblem());
        }
    }

    @Test
    void wrongCredentialsGiveOneLineAndStop() throws Exception {
        long t0 = System.nanoTime();
        Run tail = triage(connection(wrongFile, "tail", Topics.RADIOGRAPHS, "--from-beginning", "--timeout", "5s"));
        assertEquals(1, tail.code());
        // The Kafka client logs its own record of the failure (key=value log lines); ours is the one line that says what to fix.
        List<String> ours = tail.err().lines().filter(l -> l.startsWith("triage ")).toList();
        assertEquals(1, ours.size(), tail.err());
        String line = ours.get(0);
        assertTrue(line.startsWith("triage tail: Kafka authentication failed for user alice at " + kafka.bootstrapServers()
                + ": check sasl.mechanism and sasl.jaas.config (in " + wrongFile + ")"), tail.err());
        assertFalse(tail.err().contains("\tat "), "no stack trace: " + tail.err());

        Run ingest = triage(connection(wrongFile, "ingest", "files", "--demo-key", "--no-progress", "--ack-timeout-ms", "10000",
                "--quarantine-dir", dir.resolve("q2").toString(), png("c.png", 3).toString()));
        assertEquals(1, ingest.code(), ingest.out() + ingest.err());
        assertTrue(ingest.out().contains("stored=0"), ingest.out());

        Path state = dir.resolve("bad-state");
        try (InferenceStream stream = InferenceStream.builder().bootstrapServers(kafka.bootstrapServers()).schemaRegistryUrl(registry.url())
                .clientProperties(KafkaClientProperties.load(wrongFile, "--kafka-config", Map.of()))
                .applicationId(APP_ID + "-bad").stateDir(state).modelDir(state).modelLoader(d -> new ConstantEmbedder()).build()) {
            try {
                stream.start();
            } catch (IllegalStateException e) {
                assertEquals(stream.fatalProblem(), e.getMessage());
            }
            waitFor(() -> stream.fatalProblem() != null, Duration.ofSeconds(60));
            assertTrue(stream.fatalProblem().startsWith("Kafka authentication failed for user alice"), stream.fatalProblem());
        }

        try (AlertsService alerts = AlertsService.builder().bootstrapServers(kafka.bootstrapServers()).schemaRegistryUrl(registry.url())
                .clientProperties(KafkaClientProperties.load(wrongFile, "--kafka-config", Map.of())).port(0)
                .tokens(TokenStore.parse(List.of("secured-cluster-test-token-0123:viewer"), "test")).build().start()) {
            waitFor(() -> alerts.fatalProblem() != null, Duration.ofSeconds(30));
            assertTrue(alerts.fatalProblem().startsWith("Kafka authentication failed for user alice"), alerts.fatalProblem());
        }
        assertTrue(System.nanoTime() - t0 < 120_000_000_000L, "no endless retries");
    }

    @Test
    void missingConfigFileIsOneLine() {
        Run r = triage(connection(dir.resolve("nope.properties"), "tail", Topics.RADIOGRAPHS));
        assertEquals(2, r.code());
        assertTrue(r.err().strip().startsWith("triage tail: --kafka-config " + dir.resolve("nope.properties") + ": file not found; give a Java properties file"),
                r.err());
    }

    static void waitFor(Callable<Boolean> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + timeout);
            Thread.sleep(100);
        }
    }
}
