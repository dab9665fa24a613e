package org.triage.stream.topology;

import java.util.Optional;

/**
 * Reads one record back from its source partition: how the batcher gets the image of a record
 * that was pending when its task moved (the pending store keeps only the offset).
 */
public interface SourceReader extends AutoCloseable {
    /**
     * @return the record's value; empty when the offset is no longer in the log (retention) or
     *         holds no record (a transaction marker)
     * @throws InfrastructureException when Kafka does not answer in time: retry later, never DLQ
     */
    Optional<byte[]> read(String topic, int partition, long offset);

    @Override
    void close();
}
