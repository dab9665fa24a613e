package org.triage.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.model.ModelConfig;
import org.triage.trainer.model.TrainedModel;
import org.triage.trainer.phantom.PhantomConfig;
import org.triage.trainer.phantom.PhantomGenerator;

/**
 * The reporting protocol of the phantom benchmark in one call: for every phantom seed a fresh phantom (never the
 * development seed on which hyper-parameters were chosen), for every training seed one training run with the given
 * settings, then the test-split evaluation and the neutral control averaged over {@code controlDraws} draws. Writes
 * {@code benchmark.md} (per-run rows, mean and sd rows) and {@code benchmark.json} under the work folder.
 *
 * <p>Everything in the results depends on seeds and epochs only (no time budget), so two runs on one machine with the
 * same thread count give the same numbers; wall-clock times are written apart from the results ({@code timing}).
 */
public final class SeedBenchmark {
    /** The seeds the README's table is made of; 7 is the development seed (hyper-parameter choices) and is not among them. */
    public static final List<Long> DEFAULT_PHANTOM_SEEDS = List.of(11L, 12L, 13L);
    public static final List<Long> DEFAULT_TRAIN_SEEDS = List.of(1L, 2L);
    public static final long DEVELOPMENT_PHANTOM_SEED = PhantomConfig.DEFAULT_SEED;
    public static final String TABLE_FILE = "benchmark.md";
    public static final String JSON_FILE = "benchmark.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Phantom size: films per split and image side. */
    public record PhantomSize(int train, int val, int test, int size) {
        public static PhantomSize defaults() {
            return new PhantomSize(PhantomConfig.DEFAULT_TRAIN, PhantomConfig.DEFAULT_VAL, PhantomConfig.DEFAULT_TEST, PhantomConfig.DEFAULT_SIZE);
        }
    }

    /** One training run's results (no wall-clock values: these must repeat exactly). */
    public record Run(long phantomSeed, long trainSeed, int selectedEpoch, double valSeen, double seen, double unseen, double harmonic,
            double controlAverage, double controlSd, Map<String, Double> perClass, List<String> unseenLabels,
            Map<String, Double> otherControls, double centredSeen, double centredUnseen, double centredHarmonic, Map<String, Double> centredControls) {}

    private final TrainSettings base;
    private final PhantomSize phantom;
    private final List<Long> phantomSeeds;
    private final List<Long> trainSeeds;
    private final int controlDraws;
    private final Evaluator.ControlKind controlKind;
    private final PrintStream err;
    private boolean reuseModels;

    /** Keep a finished model folder trained with the same settings instead of training it again (evaluation only). */
    public SeedBenchmark reuseModels(boolean reuse) {
        this.reuseModels = reuse;
        return this;
    }

    public SeedBenchmark(TrainSettings base, PhantomSize phantom, List<Long> phantomSeeds, List<Long> trainSeeds, int controlDraws,
            Evaluator.ControlKind controlKind, PrintStream err) {
        if (phantomSeeds.isEmpty() || trainSeeds.isEmpty()) {
            throw new IllegalArgumentException("--benchmark needs at least one phantom seed and one training seed");
        }
        if (phantomSeeds.contains(DEVELOPMENT_PHANTOM_SEED)) {
            err.println("benchmark: WARNING phantom seed " + DEVELOPMENT_PHANTOM_SEED
                    + " is the development seed the defaults were chosen on; numbers on it are not a fair report");
        }
        if (base.timeBudgetSec() > 0) {
            throw new IllegalArgumentException("--benchmark runs fixed epochs: a --time-budget would make the table depend on the machine's speed");
        }
        this.base = base;
        this.phantom = phantom;
        this.phantomSeeds = List.copyOf(phantomSeeds);
        this.trainSeeds = List.copyOf(trainSeeds);
        this.controlDraws = controlDraws;
        this.controlKind = controlKind;
        this.err = err;
    }

    /** Runs everything under {@code work}; returns the Markdown table's path. */
    public Path run(Path work) {
        List<Run> runs = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        try {
            Files.createDirectories(work);
            Map<Long, GzslDataset> datasets = new LinkedHashMap<>();
            for (long ps : phantomSeeds) {
                Path dataDir = work.resolve("phantom-" + ps);
                long t0 = System.nanoTime();
                generate(dataDir, ps);
                seconds.put("phantom-" + ps, (System.nanoTime() - t0) / 1e9);
                datasets.put(ps, GzslDataset.open(dataDir));
            }
            // training seed outermost: a benchmark stopped early has already covered every phantom once
            for (long ts : trainSeeds) {
                for (long ps : phantomSeeds) {
                    GzslDataset data = datasets.get(ps);
                    Path modelDir = work.resolve("model-p" + ps + "-t" + ts);
                    TrainSettings s = new TrainSettings(base.arch(), base.preprocess(), base.distance(), base.hyper().withSeed(ts), base.threads(),
                            base.progress(), 0, base.backboneWeights());
                    err.println(String.format(Locale.ROOT, "benchmark: phantom seed %d, training seed %d (%d of %d)", ps, ts, runs.size() + 1,
                            phantomSeeds.size() * trainSeeds.size()));
                    long t1 = System.nanoTime();
                    int selectedEpoch;
                    double selectedVal;
                    if (reuseModels && finished(modelDir, s)) {
                        ModelConfig mc = ModelConfig.read(modelDir);
                        selectedEpoch = mc.selectedEpoch();
                        selectedVal = mc.validation();
                        err.println("benchmark: reusing the finished model " + modelDir + " (same settings; training is deterministic)");
                    } else {
                        deleteTree(modelDir); // every run trains from scratch: a stale checkpoint must not leak into the table
                        GzslTrainer.Result tr = new GzslTrainer(s, err).train(data, modelDir, false);
                        selectedEpoch = tr.selectedEpoch();
                        selectedVal = tr.selectedValidation();
                        seconds.put("train-p" + ps + "-t" + ts, (System.nanoTime() - t1) / 1e9);
                    }
                    try (TrainedModel m = TrainedModel.load(modelDir)) {
                        float[][] emb = Evaluator.embedSplit(m, data, "test", base.threads(), 64); // once; every evaluation below scores it
                        EvaluationReport r = Evaluator.evaluate(m, data, "test", null, 1, 1, base.threads(), 64, false, emb);
                        r.write(modelDir.resolve("report").resolve("report.json"));
                        Map<String, Double> others = new LinkedHashMap<>();
                        double cAvg = Double.NaN;
                        double cSd = Double.NaN;
                        // the chosen control, and the other kinds beside it (what the README's diagnosis compares)
                        for (Evaluator.ControlKind k : Evaluator.ControlKind.values()) {
                            EvaluationReport c = Evaluator.evaluate(m, data, "test", k, 1, controlDraws, base.threads(), 64, false, emb);
                            double avg = controlDraws > 1 ? (Double) c.extra("controlUnseenMeanAverage") : c.unseenMean();
                            if (k == controlKind) {
                                c.write(modelDir.resolve("control").resolve("report.json"));
                                cAvg = avg;
                                cSd = controlDraws > 1 ? (Double) c.extra("controlUnseenMeanSd") : Double.NaN;
                            } else {
                                others.put(k.id(), avg);
                            }
                        }
                        EvaluationReport rc = Evaluator.evaluate(m, data, "test", null, 1, 1, base.threads(), 64, true, emb);
                        rc.write(modelDir.resolve("report-centred").resolve("report.json"));
                        Map<String, Double> centredControls = new LinkedHashMap<>();
                        for (Evaluator.ControlKind k : Evaluator.ControlKind.values()) {
                            EvaluationReport c = Evaluator.evaluate(m, data, "test", k, 1, controlDraws, base.threads(), 64, true, emb);
                            centredControls.put(k.id(), controlDraws > 1 ? (Double) c.extra("controlUnseenMeanAverage") : c.unseenMean());
                        }
                        runs.add(new Run(ps, ts, selectedEpoch + 1, selectedVal, r.seenMean(), r.unseenMean(), r.harmonicMean(), cAvg,
                                cSd, r.perClass(), r.unseenLabels(), others, rc.seenMean(), rc.unseenMean(), rc.harmonicMean(), centredControls));
                    }
                    runs.sort(Comparator.comparingLong(Run::phantomSeed).thenComparingLong(Run::trainSeed));
                    write(work, runs, seconds);
                }
            }
            return write(work, runs, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model folder of a completed run with exactly these settings (config.json's hyper-parameters, arch, input, distance). */
    private static boolean finished(Path modelDir, TrainSettings s) {
        try {
            Path state = modelDir.resolve(GzslTrainer.CHECKPOINTS).resolve("state.json");
            if (!Files.isRegularFile(state) || !Files.isRegularFile(modelDir.resolve(ModelConfig.FILE_NAME))) {
                return false;
            }
            if (JSON.readTree(state.toFile()).path("epoch").asInt(-1) != s.hyper().epochs() - 1) {
                return false;
            }
            ModelConfig c = ModelConfig.read(modelDir);
            // compared as JSON trees: the records hold arrays, whose equals() is identity
            return JSON.valueToTree(c.hyper()).equals(JSON.valueToTree(s.hyper())) && JSON.valueToTree(c.arch()).equals(JSON.valueToTree(s.arch()))
                    && JSON.valueToTree(c.preprocess()).equals(JSON.valueToTree(s.preprocess())) && c.distance().equals(s.distance().id())
                    && s.backboneWeights() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void generate(Path dir, long seed) throws IOException {
        Path info = dir.resolve("dataset.json");
        if (Files.isRegularFile(info)) {
            var node = JSON.readTree(info.toFile());
            var counts = node.path("counts");
            if (node.path("seed").asLong() == seed && counts.path("train").asInt() == phantom.train() && counts.path("val").asInt() == phantom.val()
                    && counts.path("test").asInt() == phantom.test() && node.path("imageSize").asInt(-1) == phantom.size()) {
                err.println("benchmark: reusing phantom " + dir + " (same seed and size; generation is byte-identical)");
                return;
            }
        }
        deleteTree(dir);
        PhantomConfig c = new PhantomConfig(dir, seed, phantom.size(), phantom.train(), phantom.val(), phantom.test(), Math.max(1, base.threads()),
                PhantomConfig.DEFAULT_LABEL_NOISE, PhantomConfig.DEFAULT_UNSEEN_SHARE, PhantomConfig.DEFAULT_VECTOR_DIM, false);
        err.println("benchmark: generating phantom seed " + seed + " into " + dir);
        new PhantomGenerator(c, err).generate();
    }

    private Path write(Path work, List<Run> runs, Map<String, Double> seconds) throws IOException {
        Path md = work.resolve(TABLE_FILE);
        Files.writeString(md, markdown(runs, seconds));
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", protocol());
        root.set("settings", settingsJson());
        ArrayNode rows = root.putArray("runs");
        for (Run r : runs) {
            ObjectNode o = rows.addObject();
            o.put("phantomSeed", r.phantomSeed());
            o.put("trainSeed", r.trainSeed());
            o.put("selectedEpoch", r.selectedEpoch());
            o.put("valSeenAuroc", r.valSeen());
            o.put("seenMean", r.seen());
            o.put("unseenMean", r.unseen());
            o.put("harmonicMean", r.harmonic());
            o.put("controlUnseenMeanAverage", r.controlAverage());
            o.put("controlUnseenMeanSd", r.controlSd());
            ObjectNode oc = o.putObject("otherControlKinds");
            r.otherControls().forEach(oc::put);
            ObjectNode cen = o.putObject("centred");
            cen.put("seenMean", r.centredSeen());
            cen.put("unseenMean", r.centredUnseen());
            cen.put("harmonicMean", r.centredHarmonic());
            ObjectNode cc = cen.putObject("controlUnseenMeanAverage");
            r.centredControls().forEach(cc::put);
            ObjectNode pc = o.putObject("perClass");
            r.perClass().forEach(pc::put);
        }
        ObjectNode summary = root.putObject("summary");
        for (String k : List.of("seenMean", "unseenMean", "harmonicMean", "controlUnseenMeanAverage", "centredSeenMean", "centredUnseenMean",
                "centredHarmonicMean", "centredControlUnseenMeanAverage")) {
            double[] v = runs.stream().mapToDouble(r -> value(r, k)).toArray();
            ObjectNode s = summary.putObject(k);
            s.put("mean", mean(v));
            s.put("sd", sd(v));
            s.put("n", v.length);
        }
        ObjectNode timing = root.putObject("timing");
        seconds.forEach(timing::put);
        timing.put("note", "wall-clock seconds on this machine under its load at the time; not part of the result");
        Files.writeString(work.resolve(JSON_FILE), JSON.writeValueAsString(root));
        return md;
    }

    private double value(Run r, String key) {
        return switch (key) {
            case "seenMean" -> r.seen();
            case "unseenMean" -> r.unseen();
            case "harmonicMean" -> r.harmonic();
            case "controlUnseenMeanAverage" -> r.controlAverage();
            case "centredSeenMean" -> r.centredSeen();
            case "centredUnseenMean" -> r.centredUnseen();
            case "centredHarmonicMean" -> r.centredHarmonic();
            case "centredControlUnseenMeanAverage" -> r.centredControls().get(controlKind.id());
            default -> throw new IllegalArgumentException(key);
        };
    }

    private String protocol() {
        return "hyper-parameters chosen on the development phantom seed " + DEVELOPMENT_PHANTOM_SEED
                + " (seen classes on its val split, unseen-class checks on its test split); reported numbers from phantom seeds " + phantomSeeds
                + " x training seeds " + trainSeeds + ", test split, model of the best val-seen epoch; control = " + controlKind.id() + ", "
                + controlDraws + " draws";
    }

    private ObjectNode settingsJson() {
        ObjectNode s = JSON.createObjectNode();
        var h = base.hyper();
        s.put("arch", base.arch().name());
        s.put("resize", base.preprocess().resize());
        s.put("crop", base.preprocess().crop());
        s.put("distance", base.distance().id());
        s.put("epochs", h.epochs());
        s.put("lr", h.lr());
        s.put("lrStep", h.lrStep());
        s.put("ema", h.emaDecay());
        s.put("batchSize", h.batchSize());
        s.put("threads", base.threads());
        s.put("phantomTrain", phantom.train());
        s.put("phantomVal", phantom.val());
        s.put("phantomTest", phantom.test());
        s.put("phantomSize", phantom.size());
        s.put("controlKind", controlKind.id());
        s.put("controlDraws", controlDraws);
        for (String env : List.of("MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS")) {
            String v = System.getenv(env);
            s.put("env." + env, v == null ? "" : v);
        }
        return s;
    }

    private String markdown(List<Run> runs, Map<String, Double> seconds) {
        StringBuilder b = new StringBuilder();
        var h = base.hyper();
        b.append("# Phantom seeds benchmark\n\n");
        b.append("Protocol: ").append(protocol()).append(".\n\n");
        b.append(String.format(Locale.ROOT, "Settings: %s, %d -> %d px, %s, %d epochs, lr %s (x%s every %d), ema %s, batch %d, %d threads; "
                + "phantom %d/%d/%d films of %d px.\n\n", base.arch().name(), base.preprocess().resize(), base.preprocess().crop(), base.distance().id(),
                h.epochs(), h.lr(), h.lrGamma(), h.lrStep(), h.emaDecay(), h.batchSize(), base.threads(), phantom.train(), phantom.val(), phantom.test(),
                phantom.size()));
        List<String> unseen = runs.isEmpty() ? List.of() : runs.get(0).unseenLabels();
        b.append("| phantom seed | training seed | epoch (val seen) | seen mean | unseen mean | harmonic | control (").append(controlDraws)
                .append(" draws, sd) |");
        List<String> others = runs.isEmpty() ? List.of() : List.copyOf(runs.get(0).otherControls().keySet());
        others.forEach(o -> b.append(" control ").append(o).append(" |"));
        unseen.forEach(u -> b.append(' ').append(u).append(" |"));
        b.append("\n|---|---|---|---|---|---|---|");
        others.forEach(o -> b.append("---|"));
        unseen.forEach(u -> b.append("---|"));
        b.append('\n');
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %d (%.4f) | %.4f | %.4f | %.4f | %.4f (%.4f) |", r.phantomSeed(), r.trainSeed(), r.selectedEpoch(),
                    r.valSeen(), r.seen(), r.unseen(), r.harmonic(), r.controlAverage(), r.controlSd()));
            others.forEach(o -> b.append(String.format(Locale.ROOT, " %.4f |", r.otherControls().get(o))));
            unseen.forEach(u -> b.append(String.format(Locale.ROOT, " %.4f |", r.perClass().get(u))));
            b.append('\n');
        }
        for (String stat : List.of("mean", "sd")) {
            b.append("| **").append(stat).append("** | ").append(runs.size()).append(" runs | |");
            for (String k : List.of("seenMean", "unseenMean", "harmonicMean", "controlUnseenMeanAverage")) {
                double[] v = runs.stream().mapToDouble(r -> value(r, k)).toArray();
                b.append(String.format(Locale.ROOT, " **%.4f** |", stat.equals("mean") ? mean(v) : sd(v)));
            }
            for (String o : others) {
                double[] v = runs.stream().mapToDouble(r -> r.otherControls().get(o)).toArray();
                b.append(String.format(Locale.ROOT, " %.4f |", stat.equals("mean") ? mean(v) : sd(v)));
            }
            for (String u : unseen) {
                double[] v = runs.stream().mapToDouble(r -> r.perClass().get(u)).toArray();
                b.append(String.format(Locale.ROOT, " %.4f |", stat.equals("mean") ? mean(v) : sd(v)));
            }
            b.append('\n');
        }
        b.append("\nsd = sample standard deviation over the runs (n-1). Scores = -distance (what the stream uses).\n");
        List<String> kinds = runs.isEmpty() ? List.of() : List.copyOf(runs.get(0).centredControls().keySet());
        b.append("\n## Scores centred per image on the mean seen-class score (`evaluate --score-centering seen-mean`)\n\n");
        b.append("| phantom seed | training seed | seen mean | unseen mean | harmonic |");
        kinds.forEach(k -> b.append(" control ").append(k).append(" |"));
        b.append("\n|---|---|---|---|---|");
        kinds.forEach(k -> b.append("---|"));
        b.append('\n');
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %.4f | %.4f | %.4f |", r.phantomSeed(), r.trainSeed(), r.centredSeen(), r.centredUnseen(),
                    r.centredHarmonic()));
            kinds.forEach(k -> b.append(String.format(Locale.ROOT, " %.4f |", r.centredControls().get(k))));
            b.append('\n');
        }
        for (String stat : List.of("mean", "sd")) {
            b.append("| **").append(stat).append("** | ").append(runs.size()).append(" runs |");
            for (String k : List.of("centredSeenMean", "centredUnseenMean", "centredHarmonicMean")) {
                double[] v = runs.stream().mapToDouble(r -> value(r, k)).toArray();
                b.append(String.format(Locale.ROOT, " **%.4f** |", stat.equals("mean") ? mean(v) : sd(v)));
            }
            for (String k : kinds) {
                double[] v = runs.stream().mapToDouble(r -> r.centredControls().get(k)).toArray();
                b.append(String.format(Locale.ROOT, " %.4f |", stat.equals("mean") ? mean(v) : sd(v)));
            }
            b.append('\n');
        }
        b.append("\n## Timing (wall clock, not part of the result)\n\n");
        seconds.forEach((k, v) -> b.append(String.format(Locale.ROOT, "- %s: %.0f s\n", k, v)));
        return b.toString();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    static double sd(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
