package org.triage.results.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.triage.results.TestReports;
import org.triage.results.metrics.ResultsMetrics;
import org.triage.results.report.ResultReport;

class RetryingDelivererTest {
    /** Refuses the first {@code refusals} attempts. */
    static final class Flaky implements DeliveryTarget {
        int refusals;
        int calls;

        Flaky(int refusals) {
            this.refusals = refusals;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public void deliver(ResultReport report) throws DeliveryRefused {
            calls++;
            if (refusals-- > 0) {
                throw new DeliveryRefused("HTTP 503");
            }
        }
    }

    final List<Duration> waits = new ArrayList<>();
    final ResultsMetrics metrics = new ResultsMetrics();
    final RetryingDeliverer deliverer = new RetryingDeliverer(
            new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250)), metrics, waits::add);

    @Test
    void backsOffExponentiallyUpToTheCap() {
        RetryPolicy p = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals(List.of(1000L, 2000L, 4000L, 5000L, 5000L),
                List.of(1, 2, 3, 4, 5).stream().map(i -> p.backoffAfter(i).toMillis()).toList());
    }

    @Test
    void acceptedAfterTwoRefusals() throws Exception {
        Flaky t = new Flaky(2);
        RetryingDeliverer.Outcome o = deliverer.deliver(t, TestReports.finding());
        assertTrue(o.accepted());
        assertEquals(3, o.attempts());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
        assertTrue(metrics.scrape().contains("triage_results_refusals_total{target=\"flaky\"} 2.0"), metrics.scrape());
    }

    @Test
    void givesUpAfterTheLastAttemptWithTheLastReason() throws Exception {
        Flaky t = new Flaky(10);
        RetryingDeliverer.Outcome o = deliverer.deliver(t, TestReports.finding());
        assertFalse(o.accepted());
        assertEquals(4, t.calls);
        assertEquals("HTTP 503", o.reason());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250)), waits);
    }

    @Test
    void aFaultInTheTargetIsNotRetriedAndEndsAsARefusal() throws Exception {
        DeliveryTarget broken = new DeliveryTarget() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void deliver(ResultReport report) {
                throw new IllegalStateException("bug");
            }
        };
        RetryingDeliverer.Outcome o = deliverer.deliver(broken, TestReports.finding());
        assertFalse(o.accepted());
        assertEquals(1, o.attempts());
        assertEquals("failed: IllegalStateException", o.reason());
        assertTrue(waits.isEmpty());
    }
}
