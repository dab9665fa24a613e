package org.triage.results.delivery;

import org.triage.results.report.ResultReport;

/** One place results go (a FHIR server, a RIS over MLLP). Implementations make one attempt; retrying is not theirs. */
public interface DeliveryTarget extends AutoCloseable {
    /** Short, fixed name for logs, metrics tags and DLQ headers (e.g. {@code fhir}). */
    String name();

    /**
     * Delivers once. Returns when the receiver has accepted the result.
     *
     * @throws DeliveryRefused when it did not (refused, unreachable, timed out)
     */
    void deliver(ResultReport report) throws DeliveryRefused;

    @Override
    default void close() {
    }
}
