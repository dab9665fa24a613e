package org.triage.stream.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.triage.schemas.serde.AvroSerdes;

/** Confluent wire-format serdes backed by the schema registry (the production setting). */
public final class RegistryEventSerdes implements EventSerdes {
    private final String registryUrl;

    public RegistryEventSerdes(String registryUrl) {
        this.registryUrl = registryUrl;
    }

    @Override
    public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
        return AvroSerdes.specific(type, registryUrl, false);
    }
}
