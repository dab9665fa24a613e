package org.triage.stream.topology;

/**
 * Something this stream depends on (the schema registry, the brokers) did not answer. The record
 * that met it is fine and must be processed again later, never sent to the DLQ: the exception
 * handlers let it fail the task, and the stream thread is replaced after a backoff, so the task
 * resumes from its last committed offsets.
 */
public final class InfrastructureException extends RuntimeException {
    private final String dependency;

    public InfrastructureException(String dependency, String message, Throwable cause) {
        super(message, cause);
        this.dependency = dependency;
    }

    /** What did not answer ("schema-registry", "kafka"): the metrics tag and the health reason. */
    public String dependency() {
        return dependency;
    }
}
