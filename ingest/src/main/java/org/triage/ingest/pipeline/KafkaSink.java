package org.triage.ingest.pipeline;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.RadiographEvent;
import org.triage.schemas.RecordSizes;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaAuthErrors;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Publishes to {@code radiographs} (Confluent wire format via the registry) and {@code radiographs-dlq}
 * (a pointer to the quarantined original, never the original itself).
 * acks=all with an idempotent producer, and every send is awaited: a sender is told "stored" only
 * after the broker has the record.
 */
public final class KafkaSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<RadiographEvent> serializer;
    private final Duration ackTimeout;
    private final Quarantine quarantine;
    private final String bootstrapServers;
    private final KafkaClientProperties client;
    private final long maxEventBytes;

    /** @param quarantine where rejected originals are kept; DLQ records point at them and never carry them */
    public KafkaSink(String bootstrapServers, String schemaRegistryUrl, Duration ackTimeout, Quarantine quarantine) {
        this(bootstrapServers, schemaRegistryUrl, ackTimeout, quarantine, KafkaClientProperties.none());
    }

    /** @param client security and other client settings; the settings below win over them (the delivery guarantee depends on them) */
    public KafkaSink(String bootstrapServers, String schemaRegistryUrl, Duration ackTimeout, Quarantine quarantine,
                     KafkaClientProperties client) {
        this(bootstrapServers, schemaRegistryUrl, ackTimeout, quarantine, client, RecordSizes.MAX_EVENT_BYTES);
    }

    /** @param maxEventBytes larger events are refused with {@link EventTooLargeException} before they reach Kafka */
    public KafkaSink(String bootstrapServers, String schemaRegistryUrl, Duration ackTimeout, Quarantine quarantine,
                     KafkaClientProperties client, long maxEventBytes) {
        if (maxEventBytes <= 0 || maxEventBytes > RecordSizes.MAX_EVENT_BYTES) {
            throw new IllegalArgumentException("maxEventBytes must be in 1.." + RecordSizes.MAX_EVENT_BYTES + ", got " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.bootstrapServers = bootstrapServers;
        this.client = client;
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(RecordSizes.MAX_REQUEST_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(ackTimeout.toMillis(), 3000)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(ackTimeout.toMillis() - 500, 2000)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ackTimeout.toMillis()));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-ingest");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.serializer = AvroSerdes.specific(RadiographEvent.class, client.serdeConfig(schemaRegistryUrl), false).serializer();
        this.ackTimeout = ackTimeout;
        this.quarantine = java.util.Objects.requireNonNull(quarantine, "quarantine");
    }

    @Override
    public int publish(String key, RadiographEvent event) throws PublishException {
        byte[] value;
        try {
            value = serializer.serialize(Topics.RADIOGRAPHS, event);
        } catch (RuntimeException e) {
            throw new PublishException("cannot serialize (schema registry unavailable?): " + e.getMessage(), e);
        }
        if (value.length > maxEventBytes) {
            throw new EventTooLargeException(value.length, maxEventBytes);
        }
        send(new ProducerRecord<>(topicFor(event), key, value));
        return value.length;
    }

    /**
     * URGENT and STAT films go to the STAT lane, which the stream scores ahead of the routine backlog and
     * then copies onto radiographs. The value is serialized under the radiographs subject either way: one
     * schema governs every radiograph event.
     */
    static String topicFor(RadiographEvent event) {
        return event.getPriority() == null || event.getPriority() == org.triage.events.Priority.ROUTINE ? Topics.RADIOGRAPHS
                : Topics.RADIOGRAPHS_STAT;
    }

    @Override
    public boolean deadLetter(String key, byte[] original, String error, String stage, String source) {
        Quarantine.Entry q = original == null || original.length == 0
                ? new Quarantine.Entry(null, null, 0, DeadLetter.NO_ORIGINAL)
                : quarantine.store(original);
        ProducerRecord<String, byte[]> rec = new ProducerRecord<>(Topics.RADIOGRAPHS_DLQ, null, key,
                DeadLetter.value(q, error, stage, source), DeadLetter.headers(q, error, stage, source));
        try {
            send(rec);
            return true;
        } catch (PublishException e) {
            LOG.error("could not write to {}: {}", Topics.RADIOGRAPHS_DLQ, e.getMessage());
            return false;
        }
    }

    private void send(ProducerRecord<String, byte[]> rec) throws PublishException {
        try {
            producer.send(rec).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new PublishException(describe(c), c);
        } catch (TimeoutException e) {
            throw new PublishException("no acknowledgement from Kafka within " + ackTimeout.toMillis() + " ms", e);
        } catch (RuntimeException e) {
            throw new PublishException(describe(e), e);
        }
    }

    private String describe(Throwable t) {
        String auth = KafkaAuthErrors.describe(t, bootstrapServers, client);
        return auth != null ? auth : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        serializer.close();
    }
}
