package org.triage.schemas.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.triage.schemas.kafka.KafkaAuthErrors;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.GenericAvroDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Print a topic's records as JSON lines, decoded through the schema registry. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print a topic's records as JSON lines, decoded through the schema registry (like kafka-avro-console-consumer).",
                "Reads all partitions without a consumer group: nothing is committed. Records that are not Avro",
                "(e.g. radiographs-dlq payloads) are printed with their headers and a base64 payload."})
public final class TailCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic to read, e.g. radiographs, findings, alerts, radiographs-dlq.")
    String topic;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records (default: no limit).")
    Long max;

    @Option(names = "--from-beginning", description = "Start at the oldest retained record (default: only records produced from now on).")
    boolean fromBeginning;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Stop after this long without a record, e.g. 500ms, 10s, 5m; 0 = wait forever (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--print-key", description = "Print the key, a tab, then the value (the console consumer's layout).")
    boolean printKey;

    @Option(names = "--metadata", description = "Print each record as {topic, partition, offset, timestamp, key, headers, value}.")
    boolean metadata;

    @Option(names = "--bytes-preview", paramLabel = "N", defaultValue = "32",
            description = "Show only the first N bytes (base64) of bytes fields and raw payloads; -1 = all (default ${DEFAULT-VALUE}).")
    int bytesPreview;

    @Override
    public Integer call() {
        KafkaClientProperties client;
        Map<String, Object> serdeConfig;
        try {
            client = connection.clientProperties();
            serdeConfig = connection.serdeConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("triage tail: " + e.getMessage());
            return 2;
        }
        GenericAvroDeserializer keys = new GenericAvroDeserializer();
        GenericAvroDeserializer values = new GenericAvroDeserializer();
        try {
            keys.configure(serdeConfig, true);
            values.configure(serdeConfig, false);
        } catch (KafkaException | IllegalArgumentException e) {
            System.err.println("triage tail: " + e.getMessage());
            return 2;
        }
        Properties props = client.newProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "triage-tail");
        // A one-off tool has no use for client telemetry, and brokers without it log a warning per request.
        props.put(ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, "false");
        // Radiographs are large; let one fetch carry a few of them.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(org.triage.schemas.RecordSizes.IMAGE_FETCH_BYTES));
        Duration metadataTimeout = Duration.ofSeconds(15);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicTailer tailer = new TopicTailer(consumer, keys, values, new JsonRenderer(bytesPreview), System.out, System::nanoTime);
            tailer.run(new TopicTailer.Options(topic, max == null ? Long.MAX_VALUE : max, fromBeginning, timeout, printKey, metadata),
                    metadataTimeout);
            return 0;
        } catch (TopicTailer.TailException e) {
            System.err.println("triage tail: " + e.getMessage());
            return 1;
        } catch (TimeoutException e) {
            System.err.println("triage tail: Kafka at " + connection.bootstrapServers + " did not answer within "
                    + metadataTimeout.toSeconds() + " s (is `triage local-stack` running, or --bootstrap-servers set?)");
            return 1;
        } catch (KafkaException e) {
            String auth = KafkaAuthErrors.describe(e, connection.bootstrapServers, client);
            System.err.println("triage tail: " + (auth != null ? auth : e.getMessage()));
            return 1;
        }
    }

    /** Parses 500ms, 10s, 5m, 1h, a plain number of seconds, or an ISO-8601 duration (PT10S). */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            Matcher m = SIMPLE.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            try {
                return Duration.parse(value.trim().toUpperCase());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + value + "' is not a duration (examples: 500ms, 10s, 5m, 0)");
            }
        }
    }
}
