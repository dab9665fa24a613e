package org.triage.schemas.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.triage.schemas.serde.AvroSerdeException;
import org.triage.schemas.serde.MalformedPayloadException;
import org.triage.schemas.serde.SchemaMismatchException;
import org.triage.schemas.serde.TruncatedPayloadException;
import org.triage.schemas.serde.UnknownMagicByteException;
import org.triage.schemas.serde.UnknownSchemaIdException;
import org.triage.schemas.serde.WireFormat;

/**
 * The loop behind {@code triage tail}: reads every partition of one topic without a consumer
 * group (nothing is committed, nothing changes for other consumers) and prints one JSON line
 * per record. A record that is not decodable Avro (a DLQ record's raw bytes, say) is printed
 * with its headers, the reason and a base64 payload instead of stopping the tail.
 */
final class TopicTailer {
    /** Thrown for conditions the user must fix (unknown topic); the message is the whole story. */
    static final class TailException extends RuntimeException {
        TailException(String message) {
            super(message);
        }
    }

    record Options(String topic, long max, boolean fromBeginning, Duration idleTimeout, boolean printKey, boolean metadata) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<? extends Object> keyDeserializer;
    private final Deserializer<? extends Object> valueDeserializer;
    private final JsonRenderer renderer;
    private final PrintStream out;
    private final LongSupplier clock;

    TopicTailer(Consumer<byte[], byte[]> consumer, Deserializer<?> keyDeserializer, Deserializer<?> valueDeserializer,
                JsonRenderer renderer, PrintStream out, LongSupplier nanoClock) {
        this.consumer = consumer;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.renderer = renderer;
        this.out = out;
        this.clock = nanoClock;
    }

    /** Tails until {@code max} records or {@code idleTimeout} without one (zero = forever); returns the count printed. */
    long run(Options o, Duration metadataTimeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(o.topic(), metadataTimeout);
        if (infos == null || infos.isEmpty()) {
            throw new TailException("topic '" + o.topic() + "' does not exist" + knownTopicsHint(metadataTimeout));
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (o.fromBeginning()) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        // Seeks are lazy: resolve them now so "new records" means new from this moment, not from the first poll.
        partitions.forEach(consumer::position);

        long printed = 0;
        long idleNanos = o.idleTimeout().toNanos();
        long lastActivity = clock.getAsLong();
        while (printed < o.max()) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (records.isEmpty()) {
                if (idleNanos > 0 && clock.getAsLong() - lastActivity >= idleNanos) {
                    break;
                }
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                out.println(line(r, o));
                out.flush();
                if (++printed >= o.max()) {
                    break;
                }
            }
            lastActivity = clock.getAsLong();
        }
        return printed;
    }

    private String knownTopicsHint(Duration timeout) {
        try {
            var names = consumer.listTopics(timeout).keySet().stream().filter(t -> !t.startsWith("_")).sorted().toList();
            return names.isEmpty() ? " (the cluster has no topics yet)" : " (topics: " + String.join(", ", names) + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    private String line(ConsumerRecord<byte[], byte[]> r, Options o) {
        JsonNode value = decode(r, valueDeserializer, r.value(), true);
        try {
            if (o.metadata()) {
                ObjectNode env = JsonRenderer.JSON.createObjectNode();
                env.put("topic", r.topic()).put("partition", r.partition()).put("offset", r.offset()).put("timestamp", r.timestamp());
                env.set("key", decode(r, keyDeserializer, r.key(), false));
                env.set("headers", headers(r));
                env.set("value", value);
                return JsonRenderer.JSON.writeValueAsString(env);
            }
            String json = JsonRenderer.JSON.writeValueAsString(value);
            // Same layout as kafka-avro-console-consumer --property print.key=true: key, tab, value.
            return o.printKey() ? JsonRenderer.JSON.writeValueAsString(decode(r, keyDeserializer, r.key(), false)) + "\t" + json : json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render record " + r.topic() + "/" + r.partition() + "@" + r.offset(), e);
        }
    }

    private JsonNode decode(ConsumerRecord<byte[], byte[]> r, Deserializer<?> deserializer, byte[] bytes, boolean isValue) {
        if (bytes == null) {
            return renderer.render(null);
        }
        if (!isValue && !WireFormat.looksLikeWireFormat(bytes)) {
            return renderer.text(bytes); // keys are plain strings by contract
        }
        try {
            return renderer.render(deserializer.deserialize(r.topic(), r.headers(), bytes));
        } catch (UnknownMagicByteException | TruncatedPayloadException | MalformedPayloadException | UnknownSchemaIdException
                 | SchemaMismatchException e) {
            if (!isValue) {
                return renderer.text(bytes);
            }
            ObjectNode raw = JsonRenderer.JSON.createObjectNode();
            raw.put("notAvro", e.getMessage());
            raw.set("headers", headers(r));
            raw.set("payload", renderer.bytes(bytes));
            return raw;
        } catch (AvroSerdeException e) {
            // The registry itself failed (unreachable, 5xx after retries): every record would fail, so stop.
            throw new TailException(e.getMessage());
        }
    }

    private ObjectNode headers(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode h = JsonRenderer.JSON.createObjectNode();
        for (Header header : r.headers()) {
            h.set(header.key(), renderer.text(header.value()));
        }
        return h;
    }
}
