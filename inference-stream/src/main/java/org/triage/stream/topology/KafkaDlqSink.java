package org.triage.stream.topology;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/** DLQ writes from outside a task (the global prototype store): idempotent, acks=all. */
public final class KafkaDlqSink implements DlqSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDlqSink.class);
    private final KafkaProducer<String, byte[]> producer;

    public KafkaDlqSink(String bootstrapServers) {
        this(bootstrapServers, KafkaClientProperties.none());
    }

    /** @param client security settings; acks and idempotence below win */
    public KafkaDlqSink(String bootstrapServers, KafkaClientProperties client) {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void send(String key, byte[] value, String stage, String error, String sourceTopic, int partition, long offset) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.RADIOGRAPHS_DLQ, key, value);
        r.headers().add(Topics.DLQ_HEADER_ERROR, error.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.DLQ_HEADER_STAGE, stage.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.DLQ_HEADER_SOURCE_TOPIC, sourceTopic.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.DLQ_HEADER_SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.DLQ_HEADER_SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        producer.send(r, (md, e) -> {
            if (e != null) {
                LOG.error("could not write a {} record to {}: {}", stage, Topics.RADIOGRAPHS_DLQ, e.toString());
            }
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
