package org.triage.alerts.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.triage.alerts.AlertsService;
import org.triage.alerts.view.AlertView;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code triage alerts serve}: run the service until stopped (Ctrl-C / SIGTERM). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the alert view over HTTP (/api/alerts, live page at /, SSE) and post new alerts to webhooks.")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--port", required = true, description = "HTTP port (0 = any free port).")
    int port;

    @Option(names = "--tokens-file", required = true,
            description = "Bearer tokens, one token:role[:name] per line (roles viewer, responder); # comments allowed.")
    Path tokensFile;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 exposes it).")
    String bind;

    @Option(names = "--webhook", description = "URL to POST each new alert to (repeatable).")
    List<String> webhooks = new ArrayList<>();

    @Option(names = "--webhook-catch-up-minutes", defaultValue = "15",
            description = "At start-up, re-post alerts still OPEN and created this many minutes ago or less (marked redelivery), "
                    + "in case they arrived while the service was down; 0 = never (default ${DEFAULT-VALUE}).")
    long webhookCatchUpMinutes;

    @Option(names = "--max-alerts", defaultValue = "" + AlertView.DEFAULT_MAX_ALERTS,
            description = "Most alerts kept in memory; the oldest resolved go first (default ${DEFAULT-VALUE}).")
    int maxAlerts;

    @Option(names = "--max-live-clients", defaultValue = "32", description = "Most concurrent live (SSE) connections (default ${DEFAULT-VALUE}).")
    int maxLiveClients;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be 0-65535");
        if (maxAlerts < 1) throw new ParameterException(spec.commandLine(), "--max-alerts must be >= 1");
        if (webhookCatchUpMinutes < 0) throw new ParameterException(spec.commandLine(), "--webhook-catch-up-minutes must be >= 0");
        if (maxLiveClients < 1) throw new ParameterException(spec.commandLine(), "--max-live-clients must be >= 1");
        AlertsService.Builder b = AlertsService.builder()
                .bootstrapServers(connection.bootstrapServers)
                .schemaRegistryUrl(connection.schemaRegistryUrl)
                .clientProperties(connection.clientProperties())
                .bind(bind)
                .port(port)
                .maxAlerts(maxAlerts)
                .maxSseClients(maxLiveClients)
                .webhookCatchUp(java.time.Duration.ofMinutes(webhookCatchUpMinutes))
                .tokensFile(tokensFile);
        for (String w : webhooks) {
            try {
                b.webhook(new URI(w));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--webhook " + redact(w) + ": not an absolute http(s) URL");
            }
        }
        AlertsService service = b.build().start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stop.countDown();
        }, "alerts-shutdown"));
        // Scripts read this line to find the service (port 0 picks a free one).
        spec.commandLine().getOut().println("alerts.url=" + service.url());
        spec.commandLine().getOut().flush();
        // Wrong Kafka credentials stop the consumer for good: say so once and exit rather than serve a view that never fills.
        while (!stop.await(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (service.fatalProblem() != null) {
                spec.commandLine().getErr().println("triage alerts serve: " + service.fatalProblem());
                service.close();
                return 1;
            }
        }
        return 0;
    }

    /** A webhook URL may hold a secret in its query: show scheme and host only. */
    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
