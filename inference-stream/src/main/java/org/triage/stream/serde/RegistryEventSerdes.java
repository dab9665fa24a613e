package org.triage.stream.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.triage.schemas.serde.AvroSerdes;

/** Confluent wire-format serdes backed by the schema registry (the production setting). */
public final class RegistryEventSerdes implements EventSerdes {
    private final Map<String, ?> config;

    public RegistryEventSerdes(String registryUrl) {
        this(AvroSerdes.config(registryUrl));
    }

    /** @param config serde config: the URL plus the registry's credentials and trust store */
    public RegistryEventSerdes(Map<String, ?> config) {
        this.config = Map.copyOf(config);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
        return AvroSerdes.specific(type, config, false);
    }
}
