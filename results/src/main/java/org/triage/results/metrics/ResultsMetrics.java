package org.triage.results.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The results service's Prometheus metrics ({@code triage_results_*}). Tags are bounded sets (target name, source
 * topic, DLQ reason class): never a UID or anything else from a result.
 */
public final class ResultsMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public String scrape() {
        return registry.scrape();
    }

    public void received(String topic) {
        Counter.builder("triage_results_received_total").description("Records read from findings, alerts and study-results")
                .tag("topic", topic).register(registry).increment();
    }

    /** A film's finding not delivered on its own: its study's result carries it (per-study delivery). */
    public void coveredByStudy() {
        Counter.builder("triage_results_covered_by_study_total")
                .description("Findings delivered as part of their study's result rather than on their own").register(registry).increment();
    }

    public void delivered(String target, Duration took) {
        Counter.builder("triage_results_delivered_total").description("Results a target accepted")
                .tag("target", target).register(registry).increment();
        Timer.builder("triage_results_delivery_duration").description("First attempt to acceptance, retries included")
                .tag("target", target).publishPercentiles(0.5, 0.95, 0.99).register(registry).record(took);
    }

    public void refused(String target) {
        Counter.builder("triage_results_refusals_total").description("Delivery attempts a target refused or did not answer")
                .tag("target", target).register(registry).increment();
    }

    /** {@code reason}: {@code not-in-store}, {@code undecodable} or {@code refused:<target>}. */
    public void deadLettered(String reason) {
        Counter.builder("triage_results_dead_lettered_total").description("Records sent to results-dlq")
                .tag("reason", reason).register(registry).increment();
    }

    public void transientFailure(String cause) {
        Counter.builder("triage_results_transient_failures_total")
                .description("Records held back and read again (registry or re-identification store unavailable)")
                .tag("cause", cause).register(registry).increment();
    }
}
