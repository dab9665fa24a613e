package org.triage.trainer.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.onnx.Sha256;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.model.ModelConfig;
import org.triage.trainer.model.TrainedModel;

/**
 * {@code triage export}: a trained model directory -> visual.onnx, semantic.onnx and model.json.
 * Every export proves itself before it is written as done: the graphs are loaded back through
 * model-core's {@link ExportedModel} (SHA-256 and dims checked) and must reproduce the DJL model
 * on a random batch within {@link #TOLERANCE}; otherwise the export fails.
 */
public final class ModelExporter {
    private static final Logger LOG = LoggerFactory.getLogger(ModelExporter.class);
    /** Max |ONNX Runtime - DJL PyTorch| on embeddings an export may show (issue 4's bar). */
    public static final float TOLERANCE = 1e-4f;
    /** Evaluation report names looked for in the model directory when none is given. */
    public static final List<String> EVAL_REPORT_NAMES = List.of("evaluation.json", "eval/report.json", "report.json");

    private ModelExporter() {
    }

    /**
     * @param name              release name (with the version, the key name:version on model-releases)
     * @param version           release version; null: UTC time + visual.onnx SHA-256 prefix
     * @param bnMode            BatchNorm written as nodes or folded into convolutions
     * @param targetSpecificity specificity the per-label thresholds are chosen for on validation data
     * @param valData           dataset folder whose "val" split calibrates thresholds; null: no thresholds
     * @param maxValImages      cap on validation images used (0 = all)
     * @param evalReport        evaluation report JSON; null: looked for in the model directory
     */
    public record Options(String name, String version, DjlBlockExporter.BatchNormMode bnMode, double targetSpecificity,
            Path valData, int maxValImages, Path evalReport) {
        public static Options defaults() {
            return new Options("cm-dml-gzsl", null, DjlBlockExporter.BatchNormMode.FOLD, 0.95, null, 0, null);
        }
    }

    public record Result(Path dir, ModelManifest manifest, Map<String, ThresholdCalibrator.OperatingPoint> operatingPoints,
            float visualMaxDiff, float semanticMaxDiff, int visualNodes, int foldedBatchNorms, long millis) {
    }

    public static Result export(TrainedModel model, Path outDir, Options o) {
        long t0 = System.nanoTime();
        ModelConfig cfg = model.config();
        PreprocessSpec p = cfg.preprocess();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("triage.model", o.name());
        meta.put("triage.arch", cfg.arch().name());
        BlockGraphExporter.Exported visual = CrossModalOnnx.visual(model.net(), model.manager(), p.channels(), p.crop(), o.bnMode(), meta);
        BlockGraphExporter.Exported semantic = CrossModalOnnx.semantic(model.net(), model.manager(), cfg.classVectorDim(), meta);
        checkDims(ModelManifest.VISUAL, visual, cfg.arch().embeddingDim());
        checkDims(ModelManifest.SEMANTIC, semantic, cfg.arch().embeddingDim());
        try {
            Files.createDirectories(outDir);
            byte[] v = visual.model().toByteArray();
            byte[] s = semantic.model().toByteArray();
            writeAtomically(outDir.resolve(ModelManifest.VISUAL), v);
            writeAtomically(outDir.resolve(ModelManifest.SEMANTIC), s);
            Map<String, String> artifacts = new TreeMap<>();
            artifacts.put(ModelManifest.VISUAL, Sha256.hex(v));
            artifacts.put(ModelManifest.SEMANTIC, Sha256.hex(s));
            String version = o.version() != null ? o.version()
                    : DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC))
                      + "-" + artifacts.get(ModelManifest.VISUAL).substring(0, 8);
            Map<String, Double> metrics = new TreeMap<>(readMetrics(model.dir(), o.evalReport()));
            ModelManifest draft = manifest(cfg, o, version, metrics, Map.of(), artifacts);
            draft.write(outDir);

            float vDiff;
            float sDiff;
            Map<String, ThresholdCalibrator.OperatingPoint> points = Map.of();
            try (ExportedModel exported = ExportedModel.load(outDir, ExportedModel.DevicePreference.CPU)) {
                vDiff = verifyVisual(model, exported, p);
                sDiff = verifySemantic(model, exported, cfg);
                if (o.valData() != null) {
                    points = calibrate(model, exported, cfg, o);
                }
            }
            Map<String, Float> thresholds = new TreeMap<>();
            points.forEach((label, op) -> {
                if (Float.isFinite(op.threshold())) {
                    thresholds.put(label, op.threshold());
                }
                if (Double.isFinite(op.sensitivity())) { // NaN when the val split has no positive of the label
                    metrics.put("calibration.sensitivity." + label, op.sensitivity());
                }
            });
            ModelManifest manifest = manifest(cfg, o, version, metrics, thresholds, artifacts);
            manifest.write(outDir);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("exported {} {} to {} in {} ms (visual {} nodes, {} BatchNorms folded; max |onnx-djl| visual {} semantic {})",
                    o.name(), version, outDir, ms, visual.nodes(), visual.foldedBatchNorms(), vDiff, sDiff);
            return new Result(outDir, manifest, points, vDiff, sDiff, visual.nodes(), visual.foldedBatchNorms(), ms);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export to " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static void checkDims(String file, BlockGraphExporter.Exported g, int embeddingDim) {
        long[] d = g.outputDims();
        if (d.length != 2 || d[1] != embeddingDim) {
            throw new ExportException(file + ": graph output " + BlockGraphExporter.dims(d) + " is not [N," + embeddingDim + "]");
        }
    }

    static ModelManifest manifest(ModelConfig cfg, Options o, String version, Map<String, Double> metrics,
            Map<String, Float> thresholds, Map<String, String> artifacts) {
        PreprocessSpec p = cfg.preprocess();
        return new ModelManifest(o.name(), version, cfg.arch().name(), OnnxGraphBuilder.OPSET, p.resize(), p.crop(), p.channels(),
                p.mean(), p.std(), cfg.arch().embeddingDim(), cfg.classVectorDim(), cfg.classVectorEncoder(), cfg.distance(),
                List.copyOf(cfg.seenLabels()), cfg.unseenLabels() == null ? List.of() : List.copyOf(cfg.unseenLabels()),
                metrics, thresholds, o.targetSpecificity(), artifacts);
    }

    /** Random inputs at batch 1 and 3: ONNX Runtime must reproduce DJL within the tolerance. */
    private static float verifyVisual(TrainedModel model, ExportedModel exported, PreprocessSpec p) {
        Random rng = new Random(42);
        float max = 0;
        for (int batch : new int[] {1, 3}) {
            float[][] x = new float[batch][p.tensorSize()];
            for (float[] row : x) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) rng.nextGaussian();
                }
            }
            max = Math.max(max, maxAbsDiff(model.embedImages(x), exported.embedImages(x)));
        }
        if (!(max <= TOLERANCE)) {
            throw new ExportException(ModelManifest.VISUAL + ": ONNX Runtime differs from the DJL model by " + max
                    + " (tolerance " + TOLERANCE + "); the export is wrong and was not completed");
        }
        return max;
    }

    private static float verifySemantic(TrainedModel model, ExportedModel exported, ModelConfig cfg) {
        List<String> labels = new ArrayList<>(cfg.classVectors().keySet());
        float[][] vectors = model.classVectors(labels);
        float max = maxAbsDiff(model.projectClassVectors(vectors), exported.projectClassVectors(vectors));
        if (!(max <= TOLERANCE)) {
            throw new ExportException(ModelManifest.SEMANTIC + ": ONNX Runtime differs from the DJL model by " + max
                    + " (tolerance " + TOLERANCE + "); the export is wrong and was not completed");
        }
        return max;
    }

    static float maxAbsDiff(float[][] a, float[][] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    /**
     * Thresholds from the validation split: images are preprocessed by model-core's preprocessor
     * and embedded by the exported graph (the code path the stream runs), distances to the seen
     * labels' projected class vectors by the model's distance function.
     */
    private static Map<String, ThresholdCalibrator.OperatingPoint> calibrate(TrainedModel model, ExportedModel exported,
            ModelConfig cfg, Options o) throws IOException {
        GzslDataset data = GzslDataset.open(o.valData());
        List<Sample> val = data.split("val");
        if (o.maxValImages() > 0 && val.size() > o.maxValImages()) {
            val = val.subList(0, o.maxValImages());
        }
        if (val.isEmpty()) {
            throw new ExportException(o.valData() + ": the 'val' split is empty; cannot calibrate thresholds");
        }
        List<String> labels = cfg.seenLabels();
        float[][] classEmb = exported.projectClassVectors(model.classVectors(labels));
        DistanceFunction distance = cfg.distanceFunction();
        ImagePreprocessor pre = new ImagePreprocessor(cfg.preprocess());
        float[][] distances = new float[val.size()][];
        boolean[][] truth = new boolean[val.size()][labels.size()];
        int batch = 32;
        for (int start = 0; start < val.size(); start += batch) {
            int end = Math.min(val.size(), start + batch);
            float[][] x = new float[end - start][];
            for (int i = start; i < end; i++) {
                Sample s = val.get(i);
                x[i - start] = pre.preprocess(Files.readAllBytes(s.imagePath()));
                for (int j = 0; j < labels.size(); j++) {
                    truth[i][j] = s.labels().contains(labels.get(j));
                }
            }
            float[][] emb = exported.embedImages(x);
            for (int i = start; i < end; i++) {
                distances[i] = distance.computeAll(emb[i - start], classEmb);
            }
        }
        Map<String, ThresholdCalibrator.OperatingPoint> points = ThresholdCalibrator.calibrate(labels, distances, truth, o.targetSpecificity());
        points.forEach((l, op) -> LOG.info("threshold {}: distance <= {} (val specificity {}, sensitivity {}, {} pos / {} neg)",
                l, op.threshold(), String.format("%.3f", op.specificity()), String.format("%.3f", op.sensitivity()),
                op.positives(), op.negatives()));
        return points;
    }

    /** seenMean, unseenMean, harmonicMean and perClass.LABEL from an evaluation report, when there is one. */
    static Map<String, Double> readMetrics(Path modelDir, Path explicit) throws IOException {
        Path report = explicit;
        if (report == null) {
            for (String n : EVAL_REPORT_NAMES) {
                if (Files.isRegularFile(modelDir.resolve(n))) {
                    report = modelDir.resolve(n);
                    break;
                }
            }
        }
        Map<String, Double> m = new TreeMap<>();
        if (report == null) {
            LOG.info("no evaluation report in {} (looked for {}); the manifest carries no evaluation metrics", modelDir, EVAL_REPORT_NAMES);
            return m;
        }
        if (!Files.isRegularFile(report)) {
            throw new ExportException("evaluation report " + report + " does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(report.toFile());
        } catch (IOException e) {
            throw new ExportException("evaluation report " + report + " is not valid JSON: " + e.getMessage(), e);
        }
        for (String k : List.of("seenMean", "unseenMean", "harmonicMean")) {
            if (root.path(k).isNumber()) {
                m.put(k, root.get(k).asDouble());
            }
        }
        root.path("perClass").fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                m.put("perClass." + e.getKey(), e.getValue().asDouble());
            }
        });
        LOG.info("metrics from {}: {}", report, m.keySet());
        return m;
    }

    /** Temp files are created owner-only; artifacts are read by other users (the stream's service account, containers). */
    static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its default permissions apply
        }
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        readableByAll(tmp);
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
