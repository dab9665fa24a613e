package org.triage.schemas.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.triage.schemas.registry.SchemaRegistryClient;

/** Serde for generic records; serializer and deserializer share one registry client. */
public class GenericAvroSerde implements Serde<GenericRecord> {
    private final GenericAvroSerializer serializer;
    private final GenericAvroDeserializer deserializer;

    public GenericAvroSerde() {
        this(null);
    }

    public GenericAvroSerde(SchemaRegistryClient client) {
        this.serializer = new GenericAvroSerializer(client);
        this.deserializer = new GenericAvroDeserializer(client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.shareClient(serializer.client());
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
        return deserializer;
    }
}
