package org.triage.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.triage.schemas.registry.SchemaRegistryClient;

/** Serializes generated Avro classes (e.g. {@code RadiographEvent}) in the Schema Registry wire format. */
public class SpecificAvroSerializer<T extends SpecificRecord> extends AbstractAvroSerializer<T> {
    /** For Kafka's by-class-name instantiation; {@code schema.registry.url} must then be in the config. */
    public SpecificAvroSerializer() {
        super(null);
    }

    /** Uses (and shares) {@code client}; the config then needs no registry URL. */
    public SpecificAvroSerializer(SchemaRegistryClient client) {
        super(client);
    }
}
