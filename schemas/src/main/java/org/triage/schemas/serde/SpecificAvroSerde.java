package org.triage.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.triage.schemas.registry.SchemaRegistryClient;

/** Serde for a generated class; serializer and deserializer share one registry client (one cache). */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SpecificAvroSerializer<T> serializer;
    private final SpecificAvroDeserializer<T> deserializer;

    /** For Kafka Streams' {@code default.value.serde}: the class comes from the writer schema. */
    public SpecificAvroSerde() {
        this(null, null);
    }

    public SpecificAvroSerde(Class<T> type) {
        this(null, type);
    }

    public SpecificAvroSerde(SchemaRegistryClient client, Class<T> type) {
        this.serializer = new SpecificAvroSerializer<>(client);
        this.deserializer = new SpecificAvroDeserializer<>(client, type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        if (serializer.client() != null) {
            // Share the serializer's client so both halves use one cache and one connection pool.
            deserializer.shareClient(serializer.client());
        }
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
