package org.triage.ingest;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.Deidentifier;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.MemoryBudget;
import org.triage.ingest.metrics.IngestHealth;
import org.triage.ingest.metrics.IngestMetrics;
import org.triage.ingest.pipeline.EventSink;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.KafkaSink;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.ingest.pipeline.ReferenceStore;
import org.triage.ingest.scp.ScpConfig;
import org.triage.ingest.scp.StoreScp;
import org.triage.ingest.stow.StowAuth;
import org.triage.ingest.stow.StowServer;
import org.triage.schemas.RecordSizes;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.metrics.MetricsServer;

/**
 * Ingest in-process, for the demo and tests: a Kafka sink, the pipeline, and optionally the C-STORE SCP
 * and the STOW-RS endpoint, and optionally /metrics and /health ({@link Options#withMetrics}). Close it to stop everything.
 *
 * <pre>{@code
 * try (IngestService ingest = IngestService.start(IngestService.Options.demo(bootstrap, registry))) {
 *     new StoreScu().sendPaths("127.0.0.1", ingest.scpPort(), "DEMO", ingest.aet(), files);
 * }
 * }</pre>
 */
public final class IngestService implements AutoCloseable {
    /**
     * @param scpPort 0 for an ephemeral port, negative to not start the SCP
     * @param stowPort 0 for an ephemeral port, negative to not start STOW-RS
     * @param quarantineDir where rejected originals are kept (the DLQ carries only a pointer: no PHI on Kafka)
     * @param metricsPort /metrics and /health: 0 for an ephemeral port, negative (the default) for none
     * @param metricsBind address of that endpoint (default 127.0.0.1)
     * @param deid de-identification options; {@link #demo} keeps its re-identification store in a temporary folder
     */
    public record Options(String bootstrapServers, String schemaRegistryUrl, Pseudonymiser pseudonymiser, ScpConfig scp, int scpPort,
                          int stowPort, InetAddress bind, DicomLimits limits, int maxSide, Duration ackTimeout, Path referenceDir,
                          long memoryBudgetBytes, Path quarantineDir, long quarantineMaxBytes, KafkaClientProperties client,
                          StowAuth stowAuth, long maxEventBytes, int metricsPort, String metricsBind,
                          DeidOptions deid) {
        /** Without the security settings: plaintext Kafka, STOW-RS unauthenticated (loopback only). */
        public Options(String bootstrapServers, String schemaRegistryUrl, Pseudonymiser pseudonymiser, ScpConfig scp, int scpPort,
                       int stowPort, InetAddress bind, DicomLimits limits, int maxSide, Duration ackTimeout, Path referenceDir,
                       long memoryBudgetBytes, Path quarantineDir, long quarantineMaxBytes) {
            this(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout, referenceDir,
                    memoryBudgetBytes, quarantineDir, quarantineMaxBytes, KafkaClientProperties.none(), StowAuth.none(),
                    RecordSizes.MAX_EVENT_BYTES, -1, DEFAULT_METRICS_BIND, DeidOptions.defaults());
        }

        /** Kafka client settings (security) for the producer and the serializer's registry client. */
        public Options withClient(KafkaClientProperties c) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, c, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        /** Bearer tokens STOW-RS requires. */
        public Options withStowAuth(StowAuth a) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, a, maxEventBytes, metricsPort, metricsBind, deid);
        }


        public static final String DEFAULT_METRICS_BIND = "127.0.0.1";

        /** Default bound on datasets in flight plus images being decoded: run with -Xmx at least 1 GiB above it. */
        public static final long DEFAULT_MEMORY_BUDGET = 2L << 30;

        public static Options demo(String bootstrapServers, String schemaRegistryUrl) {
            return new Options(bootstrapServers, schemaRegistryUrl, Pseudonymiser.fromConfig(null, null, true),
                    ScpConfig.defaults(0, "TRIAGE"), 0, -1, InetAddress.getLoopbackAddress(), DicomLimits.DEFAULT, 1024,
                    Duration.ofSeconds(30), null, DEFAULT_MEMORY_BUDGET, Quarantine.defaultDir(), Quarantine.DEFAULT_MAX_BYTES, KafkaClientProperties.none(), StowAuth.none(),
                    RecordSizes.MAX_EVENT_BYTES, -1, DEFAULT_METRICS_BIND, DeidOptions.demo());
        }

        public Options withStowPort(int port) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, port, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        public Options withScp(ScpConfig config) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, config, config.port(), stowPort, bind, limits, maxSide,
                    ackTimeout, referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        public Options withPseudonymiser(Pseudonymiser p) {
            return new Options(bootstrapServers, schemaRegistryUrl, p, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout, referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        public Options withLimits(DicomLimits l, int side) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, l, side, ackTimeout, referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        public Options withMemoryBudget(long bytes) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, bytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        /** Rejected originals go to this owner-only folder (bounded to maxBytes); DLQ records point at them. */
        public Options withQuarantine(Path dir, long maxBytes) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, dir, maxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }

        /** Events larger than this are refused to the DLQ with their size as the reason (at most {@link RecordSizes#MAX_EVENT_BYTES}). */
        public Options withMaxEventBytes(long bytes) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, bytes, metricsPort, metricsBind, deid);
        }

        /** Serve /metrics (Prometheus) and /health on bind:port; port 0 = ephemeral, negative = off. */
        public Options withMetrics(int port, String bind) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, this.bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, port, bind, deid);
        }

        /** The site's de-identification options (date shift, device identity, burned-in films, re-identification store). */
        public Options withDeid(DeidOptions d) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout,
                    referenceDir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, d);
        }

        /** Reference mode: images go to this folder and events carry file: URIs. */
        public Options withReferenceDir(Path dir) {
            return new Options(bootstrapServers, schemaRegistryUrl, pseudonymiser, scp, scpPort, stowPort, bind, limits, maxSide, ackTimeout, dir, memoryBudgetBytes, quarantineDir, quarantineMaxBytes, client, stowAuth, maxEventBytes, metricsPort, metricsBind, deid);
        }
    }

    private final EventSink sink;
    private final IngestPipeline pipeline;
    private final ReidentificationStore reidentification;
    private final StoreScp scp;
    private final StowServer stow;
    private final String aet;
    private final IngestHealth health;
    private final MetricsServer metricsServer;

    private IngestService(EventSink sink, IngestPipeline pipeline, ReidentificationStore reidentification, StoreScp scp, StowServer stow,
                          String aet, IngestHealth health, MetricsServer metricsServer) {
        this.sink = sink;
        this.reidentification = reidentification;
        this.pipeline = pipeline;
        this.scp = scp;
        this.stow = stow;
        this.aet = aet;
        this.health = health;
        this.metricsServer = metricsServer;
    }

    public static IngestService start(Options o) throws IOException {
        Quarantine quarantine = new Quarantine(o.quarantineDir(), o.quarantineMaxBytes());
        EventSink sink = new KafkaSink(o.bootstrapServers(), o.schemaRegistryUrl(), o.ackTimeout(), quarantine, o.client(), o.maxEventBytes());
        return start(o, sink);
    }

    /** With a caller-provided sink (tests); the service closes it. */
    public static IngestService start(Options o, EventSink sink) throws IOException {
        IngestPipeline pipeline;
        ReidentificationStore reidentification = null;
        try {
            reidentification = ReidentificationStore.open(o.deid(), o.pseudonymiser().siteKey());
            pipeline = new IngestPipeline(o.limits(), o.maxSide(), new Deidentifier(o.pseudonymiser(), o.deid()), reidentification, sink,
                    o.referenceDir() == null ? null : new ReferenceStore(o.referenceDir()), new MemoryBudget(o.memoryBudgetBytes()),
                    new IngestMetrics());
        } catch (IOException | RuntimeException e) {
            if (reidentification != null) {
                reidentification.close();
            }
            sink.close();
            throw e;
        }
        StoreScp scp = null;
        StowServer stow = null;
        IngestHealth health = null;
        MetricsServer metricsServer = null;
        try {
            if (o.scpPort() >= 0 && o.scp() != null) {
                ScpConfig c = o.scp();
                scp = StoreScp.start(new ScpConfig(c.bind(), o.scpPort(), c.aet(), c.allowedCallingAets(), c.maxAssociations(),
                        c.maxPduLength(), c.artimTimeout(), c.idleTimeout()), pipeline);
            }
            if (o.stowPort() >= 0) {
                // Patient data must not be uploadable from the network without a token; on loopback only local processes reach it.
                if (!o.stowAuth().enabled() && !o.bind().isLoopbackAddress()) {
                    throw new IllegalArgumentException("STOW-RS on " + o.bind().getHostAddress() + " would accept patient data from anyone "
                            + "who can reach it: give bearer tokens with --stow-token-file FILE or " + StowAuth.ENV_TOKENS + ", or bind 127.0.0.1");
                }
                stow = StowServer.start(o.bind(), o.stowPort(), pipeline, o.limits().maxDatasetBytes(), 4, o.stowAuth());
            }
            if (scp != null) {
                pipeline.metrics().bindAssociations(scp::activeAssociations);
            }
            health = IngestHealth.connect(o.bootstrapServers(), o.schemaRegistryUrl(), o.client(), pipeline.metrics());
            if (o.metricsPort() >= 0) {
                metricsServer = new MetricsServer(o.metricsBind(), o.metricsPort(), pipeline.metrics()::scrape, health::problem);
            }
        } catch (IOException | RuntimeException e) {
            if (scp != null) {
                scp.close();
            }
            if (stow != null) {
                stow.close();
            }
            if (health != null) {
                health.close();
            }
            sink.close();
            reidentification.close();
            throw e;
        }
        return new IngestService(sink, pipeline, reidentification, scp, stow, o.scp() == null ? null : o.scp().aet(), health, metricsServer);
    }

    /** Port of /metrics and /health, -1 when not served. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    public IngestMetrics metrics() {
        return pipeline.metrics();
    }

    /** Null when Kafka and the registry answer (cached a few seconds), else why not; what /health serves. */
    public String healthProblem() {
        return health.problem();
    }

    public int scpPort() {
        return scp == null ? -1 : scp.port();
    }

    public int stowPort() {
        return stow == null ? -1 : stow.port();
    }

    public String aet() {
        return aet;
    }

    public IngestPipeline pipeline() {
        return pipeline;
    }

    /** The map from the replacement UIDs on Kafka back to the originals (stays in this process, at the edge). */
    public ReidentificationStore reidentification() {
        return reidentification;
    }

    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.close();
        }
        health.close();
        if (scp != null) {
            scp.close();
        }
        if (stow != null) {
            stow.close();
        }
        sink.close();
        reidentification.close();
    }
}
