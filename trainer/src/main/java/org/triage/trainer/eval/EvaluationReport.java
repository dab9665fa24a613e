package org.triage.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.triage.trainer.data.Sample;

/**
 * The result of a GZSL evaluation, and its artifacts: the report JSON (contract keys
 * {@code perClass}, {@code seenMean}, {@code unseenMean}, {@code harmonicMean}), the raw
 * {@code scores.csv} and {@code truth.csv} beside it so anyone can recompute the metrics, and
 * {@code roc.png}.
 */
public final class EvaluationReport {
    public static final String SCORES_FILE = "scores.csv";
    public static final String TRUTH_FILE = "truth.csv";
    public static final String ROC_FILE = "roc.png";

    private final List<Sample> samples;
    private final List<String> labels;
    private final Set<String> unseen;
    private final float[][] scores;
    private final boolean[][] truth;
    private final Map<String, Double> perClass;
    private final Map<String, Auroc.Curve> curves;
    private final Map<String, Integer> positives;
    private final Map<String, Object> extras = new LinkedHashMap<>();

    EvaluationReport(List<Sample> samples, List<String> labels, Set<String> unseen, float[][] scores, boolean[][] truth,
            Map<String, Double> perClass, Map<String, Auroc.Curve> curves, Map<String, Integer> positives) {
        this.samples = List.copyOf(samples);
        this.labels = List.copyOf(labels);
        this.unseen = Set.copyOf(unseen);
        this.scores = scores;
        this.truth = truth;
        this.perClass = Collections.unmodifiableMap(perClass);
        this.curves = curves;
        this.positives = Collections.unmodifiableMap(positives);
    }

    /** label -> AUROC (NaN where the class has no positive or no negative image). */
    public Map<String, Double> perClass() {
        return perClass;
    }

    public List<String> seenLabels() {
        return labels.stream().filter(l -> !unseen.contains(l)).toList();
    }

    public List<String> unseenLabels() {
        return labels.stream().filter(unseen::contains).toList();
    }

    /** Mean AUROC of the seen classes with a defined AUROC. */
    public double seenMean() {
        return GzslEvaluation.meanOfDefined(seenLabels().stream().map(perClass::get).toList());
    }

    public double unseenMean() {
        return GzslEvaluation.meanOfDefined(unseenLabels().stream().map(perClass::get).toList());
    }

    public double harmonicMean() {
        return GzslEvaluation.harmonic(seenMean(), unseenMean());
    }

    /** Classes whose AUROC is undefined (all images positive or all negative). */
    public List<String> undefinedClasses() {
        return labels.stream().filter(l -> Double.isNaN(perClass.get(l))).toList();
    }

    public Map<String, Integer> positives() {
        return positives;
    }

    /** Adds an informational key to the report JSON (model name, distance, timings...). */
    public EvaluationReport putExtra(String key, Object value) {
        if (List.of("perClass", "seenMean", "unseenMean", "harmonicMean").contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is a contract key and cannot be overridden");
        }
        extras.put(key, value);
        return this;
    }

    /** An informational key added with {@link #putExtra}, or null. */
    public Object extra(String key) {
        return extras.get(key);
    }

    /** Writes the report JSON, and scores.csv, truth.csv and roc.png in the same folder. */
    public void write(Path reportFile) {
        Path dir = reportFile.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            ObjectNode pc = root.putObject("perClass");
            perClass.forEach((k, v) -> putNumber(pc, k, v));
            putNumber(root, "seenMean", seenMean());
            putNumber(root, "unseenMean", unseenMean());
            putNumber(root, "harmonicMean", harmonicMean());
            ArrayNode seenArr = root.putArray("seenLabels");
            seenLabels().forEach(seenArr::add);
            ArrayNode unseenArr = root.putArray("unseenLabels");
            unseenLabels().forEach(unseenArr::add);
            root.put("images", samples.size());
            ObjectNode pos = root.putObject("positives");
            positives.forEach(pos::put);
            ArrayNode undefined = root.putArray("undefinedClasses");
            undefinedClasses().forEach(undefined::add);
            root.put("scoresFile", SCORES_FILE);
            root.put("truthFile", TRUTH_FILE);
            root.put("rocFile", ROC_FILE);
            extras.forEach((k, v) -> root.set(k, om.valueToTree(v)));
            Path tmp = dir.resolve(reportFile.getFileName() + ".tmp");
            om.writeValue(tmp.toFile(), root);
            Files.move(tmp, reportFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            writeCsv(dir.resolve(SCORES_FILE), true);
            writeCsv(dir.resolve(TRUTH_FILE), false);
            RocPlot.write(dir.resolve(ROC_FILE), labels, unseen, curves, perClass);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write evaluation report " + reportFile + ": " + e.getMessage(), e);
        }
    }

    private static void putNumber(ObjectNode node, String key, double v) {
        if (Double.isFinite(v)) {
            node.put(key, v);
        } else {
            node.putNull(key); // JSON has no NaN; null means "undefined", listed in undefinedClasses
        }
    }

    private void writeCsv(Path file, boolean writeScores) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("image");
            for (String l : labels) {
                w.write(',');
                w.write(l);
            }
            w.write('\n');
            for (int i = 0; i < samples.size(); i++) {
                w.write(samples.get(i).imageId());
                for (int j = 0; j < labels.size(); j++) {
                    w.write(',');
                    // Float.toString round-trips exactly, so recomputed AUROCs match ours bit for bit in ordering.
                    w.write(writeScores ? Float.toString(scores[i][j]) : (truth[i][j] ? "1" : "0"));
                }
                w.write('\n');
            }
        }
    }

    /** A table like the paper's Table 2: per-class AUROC, then seen, unseen and harmonic means. */
    public void printTable(PrintStream out) {
        int width = Math.max(24, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        String fmt = "%-" + width + "s %-7s %8s %7s%n";
        out.printf(Locale.ROOT, fmt, "Class", "Kind", "Positives", "AUROC");
        out.println("-".repeat(width + 26));
        List<String> ordered = new ArrayList<>(seenLabels());
        ordered.addAll(unseenLabels());
        for (String l : ordered) {
            out.printf(Locale.ROOT, fmt, l, unseen.contains(l) ? "unseen" : "seen", positives.get(l), fmt(perClass.get(l)));
        }
        out.println("-".repeat(width + 26));
        out.printf(Locale.ROOT, fmt, "Seen mean (S)", "", "", fmt(seenMean()));
        out.printf(Locale.ROOT, fmt, "Unseen mean (U)", "", "", fmt(unseenMean()));
        out.printf(Locale.ROOT, fmt, "Harmonic mean 2SU/(S+U)", "", "", fmt(harmonicMean()));
        out.printf(Locale.ROOT, "%d test images, every image scored for all %d labels%n", samples.size(), labels.size());
        if (!undefinedClasses().isEmpty()) {
            out.println("AUROC undefined (no positive or no negative image), left out of the means: " + undefinedClasses());
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
