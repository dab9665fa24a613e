package org.triage.stream.topology;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Optional;
import org.apache.kafka.common.errors.RetriableException;
import org.triage.schemas.registry.SchemaRegistryException;

/**
 * Tells the failures of one record (DLQ it) from failures of infrastructure (retry it). Only
 * what is known to be transient counts as infrastructure; anything else is the record's.
 */
public final class Failures {
    public static final String REGISTRY = "schema-registry";
    public static final String KAFKA = "kafka";

    private Failures() {
    }

    /** The dependency that failed, when the cause chain says the failure is of infrastructure. */
    public static Optional<String> infrastructure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InfrastructureException ie) {
                return Optional.of(ie.dependency());
            }
            if (t instanceof SchemaRegistryException sre) {
                // 404 and other 4xx are answers about this record (an unknown schema id): the record's problem.
                return sre.isRetryable() ? Optional.of(REGISTRY) : Optional.empty();
            }
            if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return Optional.of(KAFKA);
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
                return Optional.of(REGISTRY);
            }
        }
        return Optional.empty();
    }

    /** Rethrows an infrastructure failure as {@link InfrastructureException}; returns normally for a record failure. */
    public static void rethrowIfInfrastructure(RuntimeException e, String what) {
        Optional<String> dep = infrastructure(e);
        if (dep.isPresent()) {
            throw e instanceof InfrastructureException ie ? ie
                    : new InfrastructureException(dep.get(), what + ": " + dep.get() + " unavailable: " + BatchingProcessor.describe(e), e);
        }
    }
}
