package org.triage.results.delivery;

/**
 * A target did not accept a result. The message is what goes into logs and DLQ headers, so it names status codes
 * and error classes only, never what the receiver echoed back (which may quote patient data).
 */
public final class DeliveryRefused extends Exception {
    public DeliveryRefused(String message) {
        super(message);
    }

    public DeliveryRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
