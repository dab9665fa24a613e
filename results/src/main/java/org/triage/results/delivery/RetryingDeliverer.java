package org.triage.results.delivery;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.results.metrics.ResultsMetrics;
import org.triage.results.report.ResultReport;

/** Delivers to one target under a {@link RetryPolicy}, sleeping with exponential backoff between refusals. */
public final class RetryingDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingDeliverer.class);

    /** How a delivery ended: accepted, or refused {@code attempts} times with the last {@code reason}. */
    public record Outcome(boolean accepted, int attempts, String reason) {
    }

    private final RetryPolicy policy;
    private final ResultsMetrics metrics;
    private final Sleeper sleeper;

    /** The wait between attempts; tests replace it to run a whole policy without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public RetryingDeliverer(RetryPolicy policy, ResultsMetrics metrics) {
        this(policy, metrics, d -> Thread.sleep(d.toMillis()));
    }

    public RetryingDeliverer(RetryPolicy policy, ResultsMetrics metrics, Sleeper sleeper) {
        this.policy = policy;
        this.metrics = metrics;
        this.sleeper = sleeper;
    }

    /** @throws InterruptedException on shutdown: the result is neither accepted nor dead-lettered, and is read again */
    public Outcome deliver(DeliveryTarget target, ResultReport report) throws InterruptedException {
        long t0 = System.nanoTime();
        String reason = null;
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                target.deliver(report);
                metrics.delivered(target.name(), Duration.ofNanos(System.nanoTime() - t0));
                return new Outcome(true, attempt, null);
            } catch (DeliveryRefused e) {
                reason = e.getMessage();
                metrics.refused(target.name());
                LOG.warn("target={} film={} result={} attempt={}/{} refused: {}", target.name(),
                        report.film().replacementSopInstanceUid(), report.resultId(), attempt, policy.attempts(), reason);
                if (attempt < policy.attempts()) {
                    sleeper.sleep(policy.backoffAfter(attempt));
                }
            } catch (RuntimeException e) {
                // A fault in building or sending this result: trying again gives the same fault, and it must not
                // stop the partition, so it ends here and the result goes to the DLQ.
                metrics.refused(target.name());
                LOG.error("target={} film={} result={} failed: {}", target.name(), report.film().replacementSopInstanceUid(),
                        report.resultId(), e.getClass().getName());
                return new Outcome(false, attempt, "failed: " + e.getClass().getSimpleName());
            }
        }
        return new Outcome(false, policy.attempts(), reason);
    }
}
