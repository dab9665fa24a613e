package org.triage.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.Arrays;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.cli.TrainCommand;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.CmDmlLoss;
import org.triage.trainer.model.CrossModalNet;
import org.triage.trainer.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training throughput (images/s, forward + backward + Adam) of the Java DJL loop beside the
 * same step in PyTorch (reference_train.py, run with Debian's python3-torch), same
 * architecture, batch, image size and thread count, on random data.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Benchmark training throughput against a reference PyTorch script.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--report", required = true, description = "JSON report to write")
    Path report;

    @Option(names = "--arch", defaultValue = TrainCommand.Defaults.ARCH)
    String arch;

    @Option(names = "--image-size", defaultValue = "" + TrainCommand.Defaults.CROP)
    int size;

    @Option(names = "--batch-size", defaultValue = "32")
    int batch;

    @Option(names = "--steps", defaultValue = "10", description = "timed steps (after --warmup)")
    int steps;

    @Option(names = "--warmup", defaultValue = "2")
    int warmup;

    @Option(names = "--classes", defaultValue = "10", description = "seen classes")
    int classes;

    @Option(names = "--class-dim", defaultValue = "1024", description = "class vector dimension")
    int classDim;

    @Option(names = "--threads", description = "threads for both sides (default: all cores)")
    Integer threads;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "python with torch for the reference")
    String python;

    @Option(names = "--no-reference", description = "skip the PyTorch reference")
    boolean noReference;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TrainCommand.configureThreads(n);
        ArchSpec spec = ArchSpec.byName(arch);
        ObjectNode out = JSON.createObjectNode();
        out.put("arch", spec.name());
        out.put("imageSize", size);
        out.put("batch", batch);
        out.put("threads", n);
        out.put("device", "cpu");
        out.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode java = runJava(spec, n);
        out.set("java", java);
        System.err.println(String.format(Locale.ROOT, "java DJL: %.2f images/s (%.4f CPU s/image)", java.get("imagesPerSec").asDouble(),
                java.get("cpuSecondsPerImage").asDouble()));
        JsonNode ref = noReference ? unavailable("skipped (--no-reference)") : runReference(spec, n);
        out.set("reference", ref);
        if (ref.has("imagesPerSec")) {
            double ratio = java.get("imagesPerSec").asDouble() / ref.get("imagesPerSec").asDouble();
            out.put("ratio", ratio);
            System.err.println(String.format(Locale.ROOT, "pytorch:  %.2f images/s; java/pytorch = %.2f", ref.get("imagesPerSec").asDouble(), ratio));
        } else {
            System.err.println("pytorch reference unavailable: " + ref.get("reason").asText());
        }
        if (report.toAbsolutePath().getParent() != null) {
            Files.createDirectories(report.toAbsolutePath().getParent());
        }
        JSON.writeValue(report.toFile(), out);
        System.out.println(JSON.writeValueAsString(out));
        return 0;
    }

    private ObjectNode runJava(ArchSpec spec, int n) {
        Engine.getInstance().setRandomSeed(7);
        PreprocessSpec pre = PreprocessSpec.imagenet(size, size);
        Random rng = new Random(7);
        try (NDManager m = NDManager.newBaseManager()) {
            CrossModalNet net = new CrossModalNet(spec);
            net.initialize(m, pre.channels(), size, classDim);
            float[][] vectors = new float[classes][classDim];
            for (float[] v : vectors) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rng.nextGaussian();
                }
            }
            float[] x = new float[batch * pre.tensorSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            float[] y = new float[batch * classes];
            for (int b = 0; b < batch; b++) {
                y[b * classes] = 1;
                for (int c = 1; c < classes; c++) {
                    y[b * classes + c] = rng.nextDouble() < 0.2 ? 1 : 0;
                }
            }
            TrainStep step = new TrainStep(net, m, vectors, new CmDmlLoss(2, 0.03f, 1), DistanceFunction.WEIGHTED_EUCLIDEAN, pre, 0.9, 0.999);
            for (int i = 0; i < warmup; i++) {
                step.step(x, y, batch, 0, 1e-4, 3e-4);
            }
            double c0 = cpu();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.step(x, y, batch, 0, 1e-4, 3e-4);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = cpu() - c0;
            ObjectNode r = JSON.createObjectNode();
            r.put("imagesPerSec", steps * batch / wall);
            r.put("cpuSecondsPerImage", cpu / (steps * batch));
            r.put("steps", steps);
            r.put("wallSeconds", wall);
            r.put("engine", "DJL " + Engine.getDjlVersion() + " / PyTorch " + Engine.getInstance().getVersion());
            return r;
        }
    }

    private JsonNode runReference(ArchSpec spec, int n) {
        if (!Files.isExecutable(Path.of(python))) {
            return unavailable(python + " not found (install python3-torch: apt-get install -y python3-torch)");
        }
        Path script = null;
        try {
            script = Files.createTempFile("reference_train", ".py");
            try (InputStream in = BenchTrainCommand.class.getResourceAsStream("reference_train.py")) {
                Files.write(script, in.readAllBytes());
            }
            List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--init", "" + spec.initFeatures(), "--blocks",
                    Arrays.stream(spec.blockLayers()).mapToObj(Integer::toString).collect(Collectors.joining(",")), "--growth", "" + spec.growth(),
                    "--bn-size", "" + spec.bnSize(), "--hidden",
                    Arrays.stream(spec.hidden()).mapToObj(Integer::toString).collect(Collectors.joining(",")), "--embedding",
                    "" + spec.embeddingDim(), "--slope", "" + spec.leakySlope(), "--image-size", "" + size, "--batch", "" + batch,
                    "--classes", "" + classes, "--class-dim", "" + classDim, "--steps", "" + steps, "--warmup", "" + warmup, "--threads", "" + n));
            cmd.add("--stem-kernel");
            cmd.add("" + spec.stemKernel());
            if (spec.stemPool()) {
                cmd.add("--stem-pool");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(n));
            Process p = pb.start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return unavailable("reference did not finish in 30 minutes");
            }
            if (p.exitValue() != 0) {
                String tail = output.length() > 400 ? output.substring(output.length() - 400) : output;
                return unavailable("reference exited with " + p.exitValue() + ": " + tail.strip());
            }
            String last = output.strip().lines().reduce((a, b) -> b).orElse("");
            ObjectNode r = (ObjectNode) JSON.readTree(last);
            r.put("script", "trainer/src/main/resources/org/triage/trainer/bench/reference_train.py");
            return r;
        } catch (IOException e) {
            return unavailable("cannot run the reference: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static ObjectNode unavailable(String reason) {
        ObjectNode r = JSON.createObjectNode();
        r.put("available", false);
        r.put("reason", reason);
        return r;
    }

    private static double cpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
    }
}
