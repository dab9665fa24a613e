package org.triage.ingest.cli;

import org.triage.ingest.IngestService;
import picocli.CommandLine.Option;

/** /metrics and /health for the long-running intake paths (scp, stow); the flag names match {@code triage stream}. */
public final class MetricsOptions {
    @Option(names = "--metrics-port", defaultValue = "-1",
            description = "Port of /metrics (Prometheus) and /health; -1 disables, 0 = ephemeral (default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = IngestService.Options.DEFAULT_METRICS_BIND,
            description = "Address of the metrics endpoint (default ${DEFAULT-VALUE}).")
    String metricsBind;

    IngestService.Options applyTo(IngestService.Options o) {
        return o.withMetrics(metricsPort, metricsBind);
    }

    /** The contract line {@code metrics.url=http://HOST:PORT/metrics}, printed when the endpoint is on. */
    void print(IngestService s) {
        if (s.metricsPort() >= 0) {
            System.out.println("metrics.url=http://" + metricsBind + ":" + s.metricsPort() + "/metrics");
        }
    }
}
