package org.triage.schemas.serde;

import org.apache.avro.generic.GenericRecord;
import org.triage.schemas.registry.SchemaRegistryClient;

/** Serializes any Avro record (generic or generated) in the Schema Registry wire format. */
public class GenericAvroSerializer extends AbstractAvroSerializer<GenericRecord> {
    public GenericAvroSerializer() {
        super(null);
    }

    public GenericAvroSerializer(SchemaRegistryClient client) {
        super(client);
    }
}
