package org.triage.results.delivery;

import java.time.Duration;

/**
 * How often and how patiently a refused delivery is tried again: {@code attempts} tries in all, waiting
 * {@code initialBackoff}, then twice that, and so on up to {@code maxBackoff} between them.
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** The wait after the {@code failedAttempt}-th refusal (1-based). */
    public Duration backoffAfter(int failedAttempt) {
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < failedAttempt && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}
