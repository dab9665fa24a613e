package org.triage.ingest.pipeline;

/** Kafka did not acknowledge: the sender must get a failure it may retry. */
public class PublishException extends Exception {
    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
