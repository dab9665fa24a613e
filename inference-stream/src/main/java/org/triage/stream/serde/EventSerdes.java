package org.triage.stream.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Where the topology gets its value serdes. Production uses the schema registry wire format;
 * topology tests use plain Avro binary so they need no registry.
 */
@FunctionalInterface
public interface EventSerdes {
    <T extends SpecificRecord> Serde<T> value(Class<T> type);
}
