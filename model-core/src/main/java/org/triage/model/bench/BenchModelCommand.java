package org.triage.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.onnx.ModelLoadException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Raw throughput of the visual ONNX model (no Kafka, no decoding): the ceiling the stream is
 * measured against. For each configuration and batch size: warm-up runs, then timed runs of
 * {@link ExportedModel#embedImages} on random preprocessed tensors; images/s over the timed runs
 * and p50/p99 of the per-batch latency.
 */
@Command(name = "model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark raw ONNX visual model throughput (images/s, p50/p99 batch latency) per batch size.",
            "With no --model, both configurations (densenet-small, densenet121) are exported with random weights and measured."})
public final class BenchModelCommand implements Callable<Integer> {
    public static final List<String> ARCHS = List.of("densenet-small", "densenet121");

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "JSON report to write.")
    Path report;

    @Option(names = "--model", paramLabel = "DIR", description = "An exported model directory (model.json + ONNX files).")
    Path model;

    @Option(names = "--arch", split = ",", paramLabel = "ARCH", description = "densenet-small and/or densenet121 (with --random-init).")
    List<String> archs;

    @Option(names = "--random-init", description = "Export the --arch configuration(s) with freshly initialised weights and measure them.")
    boolean randomInit;

    @Option(names = "--input-size", defaultValue = "0",
            description = "Input size for --random-init (default: 224 for densenet121, 64 for densenet-small).")
    int inputSize;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs per batch size (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "30", description = "Timed runs per batch size (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--max-seconds", defaultValue = "60",
            description = "Stop timing a batch size after this long, keeping at least 5 runs (default ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        try {
            if (batches.stream().anyMatch(b -> b < 1 || b > 4096)) {
                throw new IllegalArgumentException("--batch sizes must be between 1 and 4096");
            }
            if (iterations < 1 || warmup < 0) {
                throw new IllegalArgumentException("--iterations must be >= 1 and --warmup >= 0");
            }
            ExportedModel.DevicePreference pref = ExportedModel.DevicePreference.valueOf(device.toUpperCase(Locale.ROOT));
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            root.put("cpus", Runtime.getRuntime().availableProcessors());
            root.put("warmup", warmup);
            root.put("iterations", iterations);
            ArrayNode configs = root.putArray("configurations");
            ObjectNode summary = root.putObject("imagesPerSecond");
            String usedDevice = null;
            for (Target t : targets()) {
                Path dir = t.dir();
                try (ExportedModel m = ExportedModel.load(dir, pref)) {
                    usedDevice = m.device();
                    ObjectNode c = configs.addObject();
                    ModelManifest man = m.manifest();
                    c.put("arch", man.architecture());
                    c.put("model", man.name() + ":" + man.version());
                    c.put("source", t.randomInit() ? "random-init" : dir.toString());
                    c.put("inputSize", man.inputSize());
                    c.put("device", m.device());
                    ArrayNode results = c.putArray("results");
                    ObjectNode perBatch = summary.putObject(man.architecture() + (t.randomInit() ? "" : "@" + man.version()));
                    for (int b : batches) {
                        Result r = measure(m, b, man.architecture());
                        ObjectNode rn = results.addObject();
                        rn.put("batch", b);
                        rn.put("iterations", r.latenciesMs().length);
                        rn.put("imagesPerSecond", round(r.imagesPerSecond()));
                        rn.put("p50Ms", round(percentile(r.latenciesMs(), 50)));
                        rn.put("p99Ms", round(percentile(r.latenciesMs(), 99)));
                        rn.put("meanMs", round(Arrays.stream(r.latenciesMs()).average().orElse(0)));
                        perBatch.put(Integer.toString(b), round(r.imagesPerSecond()));
                        System.err.printf(Locale.ROOT, "%-15s batch %3d: %8.1f images/s  p50 %8.2f ms  p99 %8.2f ms  (%d runs)%n",
                                man.architecture(), b, r.imagesPerSecond(), percentile(r.latenciesMs(), 50),
                                percentile(r.latenciesMs(), 99), r.latenciesMs().length);
                    }
                } finally {
                    if (t.randomInit()) {
                        org.triage.schemas.io.Directories.deleteQuietly(dir);
                    }
                }
            }
            root.put("device", usedDevice);
            Path parent = report.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            om.writeValue(report.toFile(), root);
            System.err.println("report written to " + report);
            return 0;
        } catch (ModelLoadException | IllegalArgumentException | IllegalStateException e) {
            System.err.println("triage bench model: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("triage bench model: cannot write " + report + ": " + e.getMessage());
            return 1;
        }
    }

    private record Target(Path dir, boolean randomInit) {
    }

    private List<Target> targets() throws IOException {
        List<Target> out = new ArrayList<>();
        if (model != null) {
            if (randomInit || archs != null) {
                throw new IllegalArgumentException("give either --model DIR or --arch ... --random-init, not both");
            }
            out.add(new Target(model, false));
            return out;
        }
        List<String> wanted = archs == null ? ARCHS : archs;
        if (archs != null && !randomInit) {
            throw new IllegalArgumentException("--arch needs --random-init (or give --model DIR)");
        }
        RandomModelFactory factory = ServiceLoader.load(RandomModelFactory.class).findFirst().orElseThrow(() ->
                new IllegalStateException("random-init models need the trainer on the classpath (run it as './triage bench model')"));
        for (String a : wanted) {
            if (!ARCHS.contains(a)) {
                throw new IllegalArgumentException("unknown --arch '" + a + "'; expected one of " + ARCHS);
            }
            Path dir = Files.createTempDirectory("triage-bench-" + a + "-");
            System.err.println("exporting " + a + " with random weights...");
            out.add(new Target(factory.export(a, inputSize, 1L, dir), true));
        }
        return out;
    }

    private record Result(double imagesPerSecond, double[] latenciesMs) {
    }

    private Result measure(ExportedModel m, int batch, String arch) {
        int tensor = m.manifest().channels() * m.manifest().inputSize() * m.manifest().inputSize();
        Random rng = new Random(batch);
        float[][] x = new float[batch][tensor];
        for (float[] row : x) {
            for (int i = 0; i < tensor; i++) {
                row[i] = (float) rng.nextGaussian();
            }
        }
        for (int i = 0; i < warmup; i++) {
            m.embedImages(x);
        }
        List<Double> lat = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            m.embedImages(x);
            long t1 = System.nanoTime();
            lat.add((t1 - t0) / 1e6);
            System.err.printf(Locale.ROOT, "\r%s batch %d: %d/%d runs", arch, batch, i + 1, iterations);
            if (t1 > deadline && lat.size() >= 5) {
                break;
            }
        }
        System.err.print("\r");
        double total = lat.stream().mapToDouble(Double::doubleValue).sum() / 1000.0;
        return new Result(batch * lat.size() / total, lat.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Nearest-rank percentile. */
    static double percentile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

}
