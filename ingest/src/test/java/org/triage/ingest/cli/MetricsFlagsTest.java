package org.triage.ingest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --metrics-port / --metrics-bind on scp and stow: defaults off and 127.0.0.1, same names as triage stream. */
class MetricsFlagsTest {
    @Test
    void scpAndStowTakeTheMetricsFlags() {
        for (String sub : new String[] {"scp", "stow"}) {
            CommandLine.ParseResult r = new CommandLine(new IngestCommand()).parseArgs(sub);
            MetricsOptions d = metrics(r.subcommand().commandSpec().userObject());
            assertEquals(-1, d.metricsPort);
            assertEquals("127.0.0.1", d.metricsBind);
            r = new CommandLine(new IngestCommand()).parseArgs(sub, "--metrics-port", "0", "--metrics-bind", "0.0.0.0");
            MetricsOptions m = metrics(r.subcommand().commandSpec().userObject());
            assertEquals(0, m.metricsPort);
            assertEquals("0.0.0.0", m.metricsBind);
        }
    }

    private static MetricsOptions metrics(Object command) {
        return command instanceof IngestCommand.Scp s ? s.metricsOptions : ((IngestCommand.Stow) command).metricsOptions;
    }
}
