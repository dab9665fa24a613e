package org.triage.trainer.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.triage.model.distance.DistanceFunction;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.model.TrainHyper;
import org.triage.trainer.model.TrainedModel;

/**
 * The paper's Tables 3-5 on a dataset: the five distances, alpha in {0,1,2,3}, beta in
 * {0,0.01,0.02,0.03}, each a full train + test evaluation with fewer epochs; one Markdown table.
 * Identical configurations are trained once.
 */
public final class AblationRunner {
    private final TrainSettings base;
    private final int epochs;
    private final PrintStream err;

    public AblationRunner(TrainSettings base, int epochs, PrintStream err) {
        this.base = base;
        this.epochs = epochs;
        this.err = err;
    }

    private record Variant(String table, String name, DistanceFunction distance, float alpha, float beta) {}

    public Path run(GzslDataset data, Path outDir) {
        TrainHyper h = base.hyper();
        Map<String, Variant> variants = new LinkedHashMap<>();
        for (DistanceFunction d : DistanceFunction.values()) {
            add(variants, new Variant("Table 3 (distance)", d.id(), d, h.alpha(), h.beta()));
        }
        for (float a : new float[] {0, 1, 2, 3}) {
            add(variants, new Variant("Table 4 (alpha)", "alpha=" + fmt(a), base.distance(), a, h.beta()));
        }
        for (float b : new float[] {0f, 0.01f, 0.02f, 0.03f}) {
            add(variants, new Variant("Table 5 (beta)", "beta=" + fmt(b), base.distance(), h.alpha(), b));
        }
        Map<String, EvaluationReport> results = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder();
        md.append("# CM-DML-GZSL ablations on ").append(data.root().getFileName()).append("\n\n");
        md.append(String.format(Locale.ROOT,
                "Each row: `triage train` with %d epochs (the benchmark default is %d; fewer here to fit the CPU), arch %s, %d px, lr %.0e, "
                        + "step %d, delta %s, seed %d; AUROC on the test split (generalized zero-shot: every image scored for every label). "
                        + "E = floor(epoch/10), so beta changes nothing in runs shorter than 11 epochs (such rows share one training run).\n\n",
                epochs, h.epochs(), base.arch().name(), base.preprocess().crop(), h.lr(), h.lrStep(), fmt(h.delta()), h.seed()));
        String lastTable = null;
        for (Map.Entry<String, Variant> e : variants.entrySet()) {
            Variant v = e.getValue();
            // beta enters only through E = floor(epoch/10): runs of 10 epochs or fewer train identically for every beta
            String key = v.distance().id() + "/" + v.alpha() + "/" + (epochs > 10 ? v.beta() : "-");
            EvaluationReport r = results.get(key);
            if (r == null) {
                r = trainAndEvaluate(data, outDir.resolve(dirName(v)), v);
                results.put(key, r);
            }
            if (!v.table().equals(lastTable)) {
                md.append("\n## ").append(v.table()).append("\n\n| setting | seen mean | unseen mean | harmonic mean |\n|---|---|---|---|\n");
                lastTable = v.table();
            }
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f |\n", v.name(), r.seenMean(), r.unseenMean(), r.harmonicMean()));
            writeTable(outDir, md);
        }
        return writeTable(outDir, md);
    }

    private static void add(Map<String, Variant> m, Variant v) {
        m.put(v.table() + v.name(), v);
    }

    private EvaluationReport trainAndEvaluate(GzslDataset data, Path dir, Variant v) {
        TrainHyper hv = base.hyper().withEpochsAndLoss(epochs, v.alpha(), v.beta());
        TrainSettings s = new TrainSettings(base.arch(), base.preprocess(), v.distance(), hv, base.threads(), base.progress(), 0, base.backboneWeights());
        err.println("ablation: " + v.table() + " " + v.name());
        new GzslTrainer(s, err).train(data, dir, false);
        try (TrainedModel m = TrainedModel.load(dir)) {
            EvaluationReport r = Evaluator.evaluate(m, data, "test", false, 1, base.threads(), 64);
            r.write(dir.resolve("report.json"));
            return r;
        }
    }

    private static String dirName(Variant v) {
        return (v.distance().id() + "-a" + fmt(v.alpha()) + "-b" + fmt(v.beta())).replace('.', '_');
    }

    private static String fmt(float f) {
        return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
    }

    private static Path writeTable(Path outDir, StringBuilder md) {
        Path f = outDir.resolve("ablation.md");
        try {
            Files.createDirectories(outDir);
            Files.writeString(f, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
        return f;
    }
}
