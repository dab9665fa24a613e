package org.triage.stream.topology;

/**
 * DLQ writes that happen outside a stream task (the global prototype store has no downstream
 * nodes). Records failing inside a task go through the topology's own DLQ sink instead, so
 * that they are part of the task's exactly-once transaction.
 */
public interface DlqSink extends AutoCloseable {
    void send(String key, byte[] value, String stage, String error, String sourceTopic, int partition, long offset);

    @Override
    default void close() {
    }
}
