package org.triage.results.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.deid.SiteKey;
import org.triage.results.ResultsService;
import org.triage.results.kafka.Granularity;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.dicom.DicomSrTarget;
import org.triage.results.delivery.RetryPolicy;
import org.triage.results.fhir.FhirTarget;
import org.triage.results.hl7.MllpTarget;
import org.triage.results.hl7.OruMessageBuilder;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code triage results serve}: consume findings and alerts until stopped (Ctrl-C / SIGTERM). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Consume findings and alerts (group triage-results), re-identify each film from the re-identification store "
                + "and deliver it to every configured target; what cannot be re-identified or delivered goes to results-dlq.")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--fhir-url", description = "FHIR R4 base URL to POST transaction Bundles to (e.g. https://fhir.example/r4).")
    String fhirUrl;

    @Option(names = "--mllp", description = "HOST:PORT of an HL7 v2 MLLP listener (RIS) to send ORU^R01 to.")
    String mllp;

    @Option(names = "--pacs", description = "HOST:PORT of a PACS (DICOM storage SCP) to C-STORE a Comprehensive SR to.")
    String pacs;

    @Option(names = "--pacs-aet", defaultValue = "PACS", description = "Called AE title of the PACS (default ${DEFAULT-VALUE}).")
    String pacsAet;

    @Option(names = "--aet", defaultValue = "TRIAGE", description = "Our calling AE title towards the PACS (default ${DEFAULT-VALUE}).")
    String callingAet;

    @Option(names = "--pseudonym-key-file", description = "The site key ingest uses (else env " + SiteKey.ENV_KEY + "): it opens the store.")
    Path keyFile;

    @Option(names = "--reid-dir", description = "Folder of ingest's re-identification store (else env " + DeidOptions.ENV_REID_DIR
            + ", else ~/.triage/reid).")
    Path reidDir;

    @Option(names = "--attempts", defaultValue = "5", description = "Tries per target before a result goes to results-dlq (default ${DEFAULT-VALUE}).")
    int attempts;

    @Option(names = "--backoff-ms", defaultValue = "1000", description = "Wait after the first refusal, doubling each time (default ${DEFAULT-VALUE}).")
    long backoffMs;

    @Option(names = "--max-backoff-ms", defaultValue = "30000", description = "Longest wait between tries (default ${DEFAULT-VALUE}).")
    long maxBackoffMs;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Connect and answer timeout of one try (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--max-poll-records", defaultValue = "10", description = "Records handled between offset commits (default ${DEFAULT-VALUE}).")
    int maxPollRecords;

    @Option(names = "--hl7-sending-facility", defaultValue = "TRIAGE", description = "MSH-4 (default ${DEFAULT-VALUE}).")
    String sendingFacility;

    @Option(names = "--hl7-receiving-application", defaultValue = "RIS", description = "MSH-5 (default ${DEFAULT-VALUE}).")
    String receivingApplication;

    @Option(names = "--hl7-receiving-facility", defaultValue = "HOSPITAL", description = "MSH-6 (default ${DEFAULT-VALUE}).")
    String receivingFacility;

    @Option(names = "--per", defaultValue = "study", converter = GranularityConverter.class,
            description = "Routine results per study (one report for a PA + lateral, after the stream's quiet time) or per film;"
                    + " alerts always go out per film at once (default ${DEFAULT-VALUE}).")
    Granularity granularity;

    @Option(names = "--metrics-port", defaultValue = "-1", description = "Port of /metrics (Prometheus) and /health; -1 disables (default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = {"--bind", "--metrics-bind"}, defaultValue = "127.0.0.1", description = "Address of the metrics endpoint (default ${DEFAULT-VALUE}).")
    String bind;

    /** A host and port from {@code HOST:PORT}; the host may be a bracketed IPv6 literal. */
    record HostPort(String host, int port) {
        static HostPort parse(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + s + "'");
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port of '" + s + "' is not a number");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port of '" + s + "' must be 1-65535");
            }
            return new HostPort(host, port);
        }
    }

    /** The targets the flags name, checked before anything connects. */
    List<DeliveryTarget> targets() {
        Duration timeout = Duration.ofMillis(timeoutMs);
        List<DeliveryTarget> targets = new ArrayList<>();
        if (fhirUrl != null) {
            URI uri;
            try {
                uri = new URI(fhirUrl);
            } catch (URISyntaxException e) {
                throw new ParameterException(spec.commandLine(), "--fhir-url: not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "--fhir-url: not an absolute http(s) URL");
            }
            targets.add(new FhirTarget(uri, timeout));
        }
        if (mllp != null) {
            HostPort hp;
            try {
                hp = HostPort.parse(mllp);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--mllp: " + e.getMessage());
            }
            targets.add(new MllpTarget(hp.host(), hp.port(), timeout,
                    new OruMessageBuilder(sendingFacility, receivingApplication, receivingFacility)));
        }
        if (pacs != null) {
            HostPort hp;
            try {
                hp = HostPort.parse(pacs);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--pacs: " + e.getMessage());
            }
            targets.add(new DicomSrTarget(hp.host(), hp.port(), callingAet, pacsAet, timeout));
        }
        if (targets.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "give at least one target: --fhir-url URL, --mllp HOST:PORT and/or --pacs HOST:PORT");
        }
        return targets;
    }

    RetryPolicy retryPolicy() {
        try {
            return new RetryPolicy(attempts, Duration.ofMillis(backoffMs), Duration.ofMillis(maxBackoffMs));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--attempts/--backoff-ms/--max-backoff-ms: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (maxPollRecords < 1) {
            throw new ParameterException(spec.commandLine(), "--max-poll-records must be >= 1");
        }
        if (timeoutMs < 1 || timeoutMs > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(), "--timeout-ms must be 1-" + Integer.MAX_VALUE);
        }
        RetryPolicy retry = retryPolicy();
        List<DeliveryTarget> targets = targets();
        SiteKey key;
        try {
            key = SiteKey.fromConfig(keyFile, System.getenv(SiteKey.ENV_KEY), false);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path dir = reidDir != null ? reidDir : DeidOptions.defaultReidentificationDir();
        // Opening creates a store; a mistyped folder would then dead-letter every film instead of failing here.
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "no re-identification store folder " + dir
                    + " (ingest creates it; give ingest's --reid-dir)");
        }
        ReidentificationStore store;
        try {
            store = ReidentificationStore.open(dir, key);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot use re-identification store folder " + dir + ": " + e.getMessage());
        }
        if (Files.size(store.file()) == 0) {
            spec.commandLine().getErr().println("triage results serve: the re-identification store for this site key in " + dir
                    + " is empty; if ingest has stored films, it uses another key");
        }
        ResultsService service;
        try {
            service = ResultsService.start(new ResultsService.Config(connection.bootstrapServers, connection.clientProperties(),
                    connection.serdeConfig(), targets, retry, maxPollRecords, bind, metricsPort, granularity), store);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            store.close();
            stop.countDown();
        }, "results-shutdown"));
        spec.commandLine().getOut().println("results.per=" + granularity.name().toLowerCase(java.util.Locale.ROOT));
        spec.commandLine().getOut().println("results.targets=" + String.join(",", targets.stream().map(DeliveryTarget::name).toList()));
        if (service.metricsPort() >= 0) {
            spec.commandLine().getOut().println("metrics.url=http://" + bind + ":" + service.metricsPort() + "/metrics");
        }
        spec.commandLine().getOut().flush();
        stop.await();
        return 0;
    }

    /** study | film, in any case; anything else is refused with the two choices. */
    static final class GranularityConverter implements picocli.CommandLine.ITypeConverter<Granularity> {
        @Override
        public Granularity convert(String value) {
            for (Granularity g : Granularity.values()) {
                if (g.name().equalsIgnoreCase(value.trim())) {
                    return g;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("--per takes study or film, not '" + value + "'");
        }
    }
}
