package org.triage.labels.cli;

import java.io.PrintWriter;
import java.time.Duration;
import org.triage.labels.KafkaEndpoint;
import org.triage.schemas.cli.ConnectionOptions;

/** What the labels subcommands share: the endpoint from the connection flags and one-line failures. */
final class CommandSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final int USAGE = 2;
    static final int FAILED = 1;

    private CommandSupport() {
    }

    static KafkaEndpoint endpoint(ConnectionOptions c) {
        return new KafkaEndpoint(c.bootstrapServers, c.schemaRegistryUrl, c.clientProperties());
    }

    /**
     * A failure of the cluster or registry (not of the user's input) as one line; the stack
     * trace only with TRIAGE_DEBUG=1, as everywhere in the CLI.
     */
    static int failed(PrintWriter err, String command, Throwable e) {
        if (System.getenv("TRIAGE_DEBUG") != null) e.printStackTrace(err);
        StringBuilder msg = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && msg.indexOf(m) < 0) {
                if (msg.length() > 0) msg.append(": ");
                msg.append(m);
            }
        }
        if (msg.length() == 0) msg.append(e.getClass().getSimpleName());
        err.println("triage " + command + ": " + msg);
        err.flush();
        return FAILED;
    }
}
