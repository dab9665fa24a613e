package org.triage.ingest.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.triage.ingest.IngestService;
import org.triage.ingest.dicom.StoreScu;
import org.triage.ingest.scp.ScpConfig;
import org.triage.platform.LocalStack;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark of C-STORE ingest: 1024x1024 16-bit DX images through the SCP into Kafka (acks=all).
 * Phase 1: C concurrent dcmtk storescu processes (throughput as a PACS would see it). Phase 2: C
 * concurrent associations from our own SCU, which times every C-STORE round trip (request sent to
 * response received, i.e. including the Kafka acknowledgement).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Benchmark C-STORE ingest throughput and round-trip latency.")
public final class BenchIngestCommand implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Option(names = "--report", required = true, description = "Write the JSON report here.") Path report;
    @Option(names = "--images", defaultValue = "200", description = "Images per phase (default ${DEFAULT-VALUE}).") int images;
    @Option(names = "--concurrency", defaultValue = "4", description = "Concurrent senders (default ${DEFAULT-VALUE}).") int concurrency;
    @Option(names = "--size", defaultValue = "1024", description = "Image side in pixels (default ${DEFAULT-VALUE}).") int size;
    @Option(names = "--use-running-stack", description = "Use --bootstrap-servers/--schema-registry-url instead of starting an embedded stack.")
    boolean useRunningStack;
    @Option(names = "--storescu", defaultValue = "storescu", description = "dcmtk storescu executable (phase 1 is skipped when absent).") String storescu;

    /** Runs the benchmark without the full CLI (e.g. from the ingest module's classpath). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchIngestCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("triage-bench-ingest");
        LocalStack stack = null;
        try {
            String bootstrap = connection.bootstrapServers;
            String registry = connection.schemaRegistryUrl;
            if (!useRunningStack) {
                stack = LocalStack.start();
                bootstrap = stack.bootstrapServers();
                registry = stack.schemaRegistryUrl();
            }
            System.err.printf("generating %d %dx%d 16-bit images...%n", images, size, size);
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                Path f = dir.resolve(String.format("img_%05d.dcm", i));
                Files.write(f, SyntheticDx.create(size, size, i));
                files.add(f);
            }
            long bytes = Files.size(files.get(0));
            ScpConfig scpConfig = ScpConfig.defaults(0, "TRIAGE").withMaxAssociations(concurrency + 2);
            ObjectNode out = new ObjectMapper().createObjectNode();
            try (IngestService ingest = IngestService.start(IngestService.Options.demo(bootstrap, registry).withScp(scpConfig))) {
                int port = ingest.scpPort();
                // Warm-up: registry subject, producer metadata, JIT.
                new StoreScu().send("127.0.0.1", port, "BENCH", "TRIAGE", List.of(SyntheticDx.create(size, size, 1_000_000)));
                ObjectNode dcmtk = out.putObject("storescu");
                String exe = resolve(storescu);
                if (exe != null) {
                    double secs = runStorescu(exe, port, files);
                    dcmtk.put("imagesPerSecond", round(images / secs));
                    dcmtk.put("seconds", round(secs));
                    out.put("imagesPerSecond", round(images / secs));
                } else {
                    dcmtk.put("skipped", "storescu not found (apt-get install dcmtk)");
                }
                // Fresh UIDs for phase 2 so that nothing is a resend.
                List<byte[]> second = new ArrayList<>();
                for (int i = 0; i < images; i++) {
                    second.add(SyntheticDx.create(size, size, 10_000_000L + i));
                }
                long[] rtt = new long[images];
                long t0 = System.nanoTime();
                int failed = runJavaScu(port, second, rtt);
                double secs = (System.nanoTime() - t0) / 1e9;
                Arrays.sort(rtt);
                ObjectNode java = out.putObject("javaScu");
                java.put("imagesPerSecond", round(images / secs));
                java.put("failed", failed);
                ObjectNode lat = out.putObject("latencyMs");
                lat.put("p50", round(pct(rtt, 0.50) / 1e6));
                lat.put("p95", round(pct(rtt, 0.95) / 1e6));
                lat.put("p99", round(pct(rtt, 0.99) / 1e6));
                lat.put("max", round(rtt[rtt.length - 1] / 1e6));
                if (!out.has("imagesPerSecond")) {
                    out.put("imagesPerSecond", round(images / secs));
                }
            }
            out.put("images", images);
            out.put("concurrency", concurrency);
            out.put("imageSide", size);
            out.put("datasetBytes", bytes);
            out.put("cpus", Runtime.getRuntime().availableProcessors());
            out.put("kafka", useRunningStack ? "external" : "embedded local stack (acks=all, idempotent)");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), out);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            return 0;
        } finally {
            if (stack != null) {
                stack.close();
            }
            try (var s = Files.list(dir)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    private double runStorescu(String exe, int port, List<Path> files) throws Exception {
        List<Process> procs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            List<String> cmd = new ArrayList<>(List.of(exe, "-aet", "BENCH" + c, "-aec", "TRIAGE", "127.0.0.1", Integer.toString(port)));
            for (int i = c; i < files.size(); i += concurrency) {
                cmd.add(files.get(i).toString());
            }
            procs.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : procs) {
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("storescu failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private int runJavaScu(int port, List<byte[]> files, long[] rtt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<List<StoreScu.Result>>> futures = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                List<byte[]> mine = new ArrayList<>();
                for (int i = c; i < files.size(); i += concurrency) {
                    mine.add(files.get(i));
                }
                int id = c;
                futures.add(pool.submit(() -> new StoreScu(120_000).send("127.0.0.1", port, "JBENCH" + id, "TRIAGE", mine)));
            }
            int i = 0;
            int failed = 0;
            for (Future<List<StoreScu.Result>> f : futures) {
                for (StoreScu.Result r : f.get()) {
                    rtt[i++] = r.roundTripNanos();
                    if (!r.ok()) {
                        failed++;
                    }
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String resolve(String exe) {
        if (exe.contains(File.separator)) {
            return Files.isExecutable(Path.of(exe)) ? exe : null;
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return Path.of(d, exe).toString();
            }
        }
        return null;
    }

    private static double pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
