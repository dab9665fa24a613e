package org.triage.ingest.cli;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.triage.ingest.IngestService;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.Deidentifier;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.dicom.MemoryBudget;
import org.triage.ingest.metrics.IngestMetrics;
import org.triage.ingest.files.FileIngest;
import org.triage.ingest.files.LabelsCsv;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.KafkaSink;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.ingest.stow.StowAuth;
import org.triage.ingest.scp.ScpConfig;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Ingest radiographs: DICOM C-STORE SCP, DICOMweb STOW-RS, or files. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest radiographs: DICOM C-STORE SCP, DICOMweb STOW-RS, or files.",
        subcommands = {IngestCommand.Scp.class, IngestCommand.Stow.class, IngestCommand.Files.class})
public final class IngestCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    /** Resolves the pseudonymiser or explains, without a stack trace, why ingest will not start. */
    static Pseudonymiser keyOrExit(CommonIngestOptions common, CommandLine.Model.CommandSpec spec) {
        String sizeProblem = common.sizeProblem();
        if (sizeProblem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "triage ingest: " + sizeProblem);
        }
        try {
            return common.pseudonymiser();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "triage ingest: " + e.getMessage());
        }
    }

    /** Opens (creating, owner-only) the quarantine folder or explains, without a stack trace, why ingest will not start. */
    static Quarantine quarantineOrExit(CommonIngestOptions common, CommandLine.Model.CommandSpec spec) {
        try {
            return new Quarantine(common.quarantineDir(), common.quarantineMaxBytes());
        } catch (java.io.IOException | RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "triage ingest: cannot use quarantine folder " + common.quarantineDir() + ": " + e);
        }
    }

    /** Opens the re-identification store or explains, without a stack trace, why ingest will not start. */
    static ReidentificationStore reidentificationOrExit(DeidOptions deid, Pseudonymiser p, CommandLine.Model.CommandSpec spec) {
        try {
            return ReidentificationStore.open(deid, p.siteKey());
        } catch (java.io.IOException | RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "triage ingest: cannot use re-identification store folder " + deid.reidentificationDir() + ": " + e.getMessage());
        }
    }

    static void awaitShutdown(AutoCloseable service) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception ignored) {
                // shutting down
            }
            stop.countDown();
        }));
        stop.await();
    }

    @Command(name = "scp", mixinStandardHelpOptions = true, description = "Run the DICOM C-STORE SCP (Verification, CR, DX, SC, CT, MR storage).")
    static final class Scp implements Callable<Integer> {
        @Mixin ConnectionOptions connection;
        @Mixin CommonIngestOptions common;
        @Mixin MetricsOptions metricsOptions;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--port", defaultValue = "11112", description = "DICOM port (default ${DEFAULT-VALUE}; 0 = ephemeral).") int port;
        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).") String bind;
        @Option(names = "--aet", defaultValue = "TRIAGE", description = "Our AE title; associations must call it (default ${DEFAULT-VALUE}).") String aet;
        @Option(names = "--allowed-calling-aets", split = ",", description = "Comma-separated calling AE titles allowed (default: any).") List<String> allowed;
        @Option(names = "--max-associations", defaultValue = "8", description = "Concurrent associations (default ${DEFAULT-VALUE}).") int maxAssociations;
        @Option(names = "--max-pdu", defaultValue = "131072", description = "Maximum PDU length we receive (default ${DEFAULT-VALUE}).") int maxPdu;
        @Option(names = "--artim-timeout-s", defaultValue = "30", description = "Seconds to wait for A-ASSOCIATE-RQ (default ${DEFAULT-VALUE}).") int artim;
        @Option(names = "--idle-timeout-s", defaultValue = "60", description = "Abort associations idle this long (default ${DEFAULT-VALUE}).") int idle;

        @Override
        public Integer call() throws Exception {
            Pseudonymiser p = keyOrExit(common, spec);
            quarantineOrExit(common, spec);
            Set<String> allowedSet = allowed == null ? Set.of() : new HashSet<>(allowed);
            ScpConfig cfg = new ScpConfig(InetAddress.getByName(bind), port, aet, allowedSet, maxAssociations, maxPdu,
                    Duration.ofSeconds(artim), Duration.ofSeconds(idle));
            IngestService.Options o = new IngestService.Options(connection.bootstrapServers, connection.schemaRegistryUrl, p, cfg, port, -1,
                    InetAddress.getByName(bind), common.limits(), common.maxSide, common.ackTimeout(), common.referenceDir, common.memoryBudgetMb << 20,
                    common.quarantineDir(), common.quarantineMaxBytes()).withClient(connection.clientProperties())
                    .withMaxEventBytes(common.maxEventBytes()).withDeid(common.deid());
            IngestService s = IngestService.start(metricsOptions.applyTo(o));
            System.out.println("dicom.scp=" + aet + "@" + bind + ":" + s.scpPort());
            metricsOptions.print(s);
            System.out.flush();
            awaitShutdown(s);
            return 0;
        }
    }

    @Command(name = "stow", mixinStandardHelpOptions = true, description = "Run the DICOMweb STOW-RS endpoint (POST /studies).")
    static final class Stow implements Callable<Integer> {
        @Mixin ConnectionOptions connection;
        @Mixin CommonIngestOptions common;
        @Mixin MetricsOptions metricsOptions;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--port", defaultValue = "8042", description = "HTTP port (default ${DEFAULT-VALUE}; 0 = ephemeral).") int port;
        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).") String bind;
        @Option(names = "--stow-token-file", paramLabel = "FILE",
                description = {"Bearer tokens clients must send (Authorization: Bearer <token>), one per line; several allow rotation.",
                        "Also env " + StowAuth.ENV_TOKENS + " (comma-separated). Without tokens STOW-RS only runs on a loopback --bind."})
        Path stowTokenFile;

        @Override
        public Integer call() throws Exception {
            Pseudonymiser p = keyOrExit(common, spec);
            quarantineOrExit(common, spec);
            StowAuth auth;
            try {
                auth = StowAuth.load(stowTokenFile, System.getenv(StowAuth.ENV_TOKENS));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            IngestService.Options o = new IngestService.Options(connection.bootstrapServers, connection.schemaRegistryUrl, p, null, -1, port,
                    InetAddress.getByName(bind), common.limits(), common.maxSide, common.ackTimeout(), common.referenceDir, common.memoryBudgetMb << 20,
                    common.quarantineDir(), common.quarantineMaxBytes()).withClient(connection.clientProperties()).withStowAuth(auth)
                    .withMaxEventBytes(common.maxEventBytes()).withDeid(common.deid());
            IngestService s = IngestService.start(metricsOptions.applyTo(o));
            System.out.println("stow.url=http://" + bind + ":" + s.stowPort() + "/studies");
            metricsOptions.print(s);
            System.out.flush();
            awaitShutdown(s);
            return 0;
        }
    }

    @Command(name = "files", mixinStandardHelpOptions = true, description = "Ingest DICOM, PNG and JPEG files or folders.")
    static final class Files implements Callable<Integer> {
        @Mixin ConnectionOptions connection;
        @Mixin CommonIngestOptions common;
        @Spec CommandLine.Model.CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders (recursive).") List<Path> paths;
        @Option(names = "--labels", description = "ChestX-ray14-style CSV (Image Index, Finding Labels[, Patient ID]).") Path labels;
        @Option(names = "--no-progress", description = "Do not draw the progress bar.") boolean noProgress;

        @Override
        public Integer call() throws Exception {
            Pseudonymiser p = keyOrExit(common, spec);
            Quarantine quarantine = quarantineOrExit(common, spec);
            LabelsCsv csv = labels == null ? null : LabelsCsv.read(labels);
            DeidOptions deid = common.deid();
            try (ReidentificationStore reid = reidentificationOrExit(deid, p, spec);
                 KafkaSink sink = new KafkaSink(connection.bootstrapServers, connection.schemaRegistryUrl, common.ackTimeout(),
                    quarantine, connection.clientProperties(), common.maxEventBytes())) {
                IngestPipeline pipeline = new IngestPipeline(common.limits(), common.maxSide, new Deidentifier(p, deid), reid, sink,
                        common.referenceDir == null ? null : new org.triage.ingest.pipeline.ReferenceStore(common.referenceDir),
                        MemoryBudget.unlimited(), new IngestMetrics());
                FileIngest.Summary s = new FileIngest(pipeline, csv, noProgress ? null : System.err).run(paths);
                System.out.printf("files=%d stored=%d failed=%d seconds=%.1f rate=%.1f/s%n", s.files(), s.stored(), s.failed(), s.seconds(),
                        s.seconds() > 0 ? s.stored() / s.seconds() : 0.0);
                return s.failed() == 0 ? 0 : 1;
            }
        }
    }
}
