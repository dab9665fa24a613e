package org.triage.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.triage.platform.kafka.EmbeddedKafka;
import org.triage.schemas.Topics;

/** The embedded broker behaves as the services need: provisioned topics, big records, groups and transactions. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalStackTest {
    private static LocalStack stack;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(LocalStackOptions.defaults().partitions(2));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (stack != null) {
            java.nio.file.Path temp = stack.kafka().logDir().getParent();
            stack.close();
            assertFalse(java.nio.file.Files.exists(temp), "temporary storage deleted on close: " + temp);
        }
    }

    @Test
    void aDataDirInUseIsRefusedBeforeKafkaCanCorruptIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedKafka.start(stack.kafka().logDir().getParent(), 0, Map.of()));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void listensOnLoopbackOnly() {
        assertTrue(stack.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), stack.bootstrapServers());
        assertTrue(stack.schemaRegistryUrl().matches("http://127\\.0\\.0\\.1:\\d+"), stack.schemaRegistryUrl());
        assertEquals(stack.kafka().port(), Integer.parseInt(stack.bootstrapServers().split(":")[1]), "advertised = real port");
    }

    @Test
    void provisionsEveryTopicWithItsConfigs() throws Exception {
        Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertTrue(names.containsAll(Topics.ALL), "missing: " + Topics.ALL.stream().filter(t -> !names.contains(t)).toList());
        assertTrue(names.contains(Topics.SCHEMAS));
        admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS)
                .forEach((t, d) -> assertEquals(2, d.partitions().size(), t));

        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(Topics.LABEL_PROTOTYPES, Topics.MODEL_RELEASES, Topics.THUMBNAILS,
                        Topics.RADIOGRAPHS, Topics.RADIOGRAPHS_DLQ, Topics.FINDINGS, Topics.SCHEMAS).stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(30, TimeUnit.SECONDS);
        assertEquals("compact", value(configs, Topics.LABEL_PROTOTYPES, "cleanup.policy"));
        assertEquals("compact", value(configs, Topics.MODEL_RELEASES, "cleanup.policy"));
        assertEquals("compact", value(configs, Topics.THUMBNAILS, "cleanup.policy"));
        assertEquals("compact", value(configs, Topics.SCHEMAS, "cleanup.policy"));
        assertEquals("delete", value(configs, Topics.FINDINGS, "cleanup.policy"));
        assertEquals("-1", value(configs, Topics.RADIOGRAPHS, "retention.ms"));
        assertEquals(String.valueOf(org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES), value(configs, Topics.RADIOGRAPHS, "max.message.bytes"));
        assertEquals(String.valueOf(org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES), value(configs, Topics.RADIOGRAPHS_DLQ, "max.message.bytes"));
    }

    private static String value(Map<ConfigResource, Config> configs, String topic, String key) {
        return configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get(key).value();
    }

    @Test
    void provisioningIsIdempotent() {
        assertTrue(new TopicProvisioner(2).provision(admin, 30_000).isEmpty(), "nothing new the second time");
        assertThrows(IllegalArgumentException.class, () -> new TopicProvisioner(0));
    }

    @Test
    void radiographSizedRecordsGoThroughAndTransactionsCommit() throws Exception {
        byte[] image = new byte[org.triage.schemas.RecordSizes.MAX_EVENT_BYTES];
        new java.util.Random(1).nextBytes(image);
        String txId = "tx-" + UUID.randomUUID();
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            // exactly_once_v2 needs the transaction coordinator, i.e. a transaction log that fits one broker.
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "1.2.3", image));
            producer.commitTransaction();
        }
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.RADIOGRAPHS));
            byte[] got = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got == null && System.nanoTime() < deadline) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (var r : records) {
                    if (r.key().equals("1.2.3")) {
                        got = r.value();
                    }
                }
            }
            assertTrue(got != null, "the committed record arrives through a consumer group");
            assertTrue(java.util.Arrays.equals(image, got));
            consumer.commitSync(Duration.ofSeconds(30));
        }
    }

    @Test
    void aTakenPortIsReportedByFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            PortInUseException e = assertThrows(PortInUseException.class,
                    () -> LocalStack.start(LocalStackOptions.defaults().registryPort(taken.getLocalPort())));
            assertTrue(e.getMessage().contains("--registry-port"), e.getMessage());
            PortInUseException k = assertThrows(PortInUseException.class,
                    () -> EmbeddedKafka.start(null, taken.getLocalPort(), Map.of()));
            assertTrue(k.getMessage().contains("--kafka-port"), k.getMessage());
        }
    }

    @Test
    void registryAnswersThroughTheStack() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.schemaRegistryUrl() + "/config"))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", r.body());
    }
}
