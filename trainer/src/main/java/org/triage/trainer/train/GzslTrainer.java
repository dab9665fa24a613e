package org.triage.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.triage.schemas.cli.ConsoleProgress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.eval.GzslEvaluation;
import org.triage.trainer.model.BackboneWeights;
import org.triage.trainer.model.CmDmlLoss;
import org.triage.trainer.model.CrossModalNet;
import org.triage.trainer.model.ModelConfig;
import org.triage.trainer.model.ModelInventory;
import org.triage.trainer.model.ModelInventory.ParamEntry;
import org.triage.trainer.model.NdDistances;
import org.triage.trainer.model.TrainHyper;

/**
 * The CM-DML-GZSL training loop: Adam + step LR, eq. 9-10 loss against the projected seen-class
 * vectors, checkpoint every epoch (parameters + optimiser state), resume, and selection of the
 * best epoch by the validation metric.
 *
 * <p>Validation metric: GZSL validation has no unseen-class images (they are held out of train
 * and val by construction), so a harmonic mean of seen and unseen AUROC cannot be measured on
 * val without leaking the unseen classes. The metric used is the mean AUROC over the seen
 * classes on the val split (every val image scored against every seen class by -distance); it
 * is reported as {@code valSeenAuroc} and recorded in config.json as the selection criterion.
 *
 * <p>Model directory: config.json, model.params (selected epoch), checkpoints/epoch-NNN.params
 * + .adam (the last two epochs and the selected one are kept), checkpoints/state.json,
 * train-log.jsonl (one JSON object per epoch).
 */
public final class GzslTrainer {
    private static final Logger log = LoggerFactory.getLogger(GzslTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String LOG_FILE = "train-log.jsonl";
    public static final String CHECKPOINTS = "checkpoints";
    static final double ADAM_EPS = 1e-8;
    private static final String SELECTION = "max mean seen-class AUROC on val";

    private final TrainSettings settings;
    private final PrintStream err;

    public GzslTrainer(TrainSettings settings, PrintStream err) {
        this.settings = settings;
        this.err = err;
    }

    /** What a run produced. */
    public record Result(Path modelDir, int epochsRun, int selectedEpoch, double selectedValidation, double trainSeconds,
            double cpuSeconds, double imagesPerSec, List<Double> epochLosses) {}

    public Result train(GzslDataset data, Path outDir, boolean resume) {
        TrainHyper h = settings.hyper();
        List<String> seen = data.seenLabels();
        Set<String> unseen = Set.copyOf(data.unseenLabels());
        List<Sample> trainSamples = data.requireImages("train");
        List<Sample> valSamples = data.requireImages("val");
        for (Sample s : trainSamples) {
            for (String l : s.labels()) {
                if (unseen.contains(l)) {
                    throw new IllegalArgumentException("train image " + s.imageId() + " has unseen label " + l + ": the dataset leaks unseen classes into training");
                }
            }
        }
        if (trainSamples.size() < 2) {
            throw new IllegalArgumentException("the train split has " + trainSamples.size() + " images; need at least 2");
        }
        Path ckptDir = outDir.resolve(CHECKPOINTS);
        try {
            Files.createDirectories(ckptDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + ckptDir, e);
        }
        ModelConfig config = baseConfig(data);
        Engine.getInstance().setRandomSeed((int) h.seed());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, settings.threads()), r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            ImagePreprocessor pre = new ImagePreprocessor(settings.preprocess());
            ImageSource train = new ImageSource(trainSamples, pre, pool);
            ImageSource val = new ImageSource(valSamples, pre, pool);
            log.info("decoded {} train + {} val images in {} s", train.size(), val.size(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));

            CrossModalNet net = new CrossModalNet(settings.arch(), h.semanticInitStd());
            net.initialize(manager, settings.preprocess().channels(), settings.preprocess().crop(), data.classVectorDim());
            if (settings.backboneWeights() != null) { // a resume then overwrites these from the checkpoint
                int n = BackboneWeights.load(net.backbone(), settings.backboneWeights(), manager);
                log.info("backbone initialised from {} ({} arrays)", settings.backboneWeights().getFileName(), n);
            }
            float[][] seenVectors = new float[seen.size()][];
            for (int i = 0; i < seen.size(); i++) {
                seenVectors[i] = data.classVector(seen.get(i));
            }
            CmDmlLoss lossFn = h.loss();
            TrainStep trainStep = new TrainStep(net, manager, seenVectors, lossFn, settings.distance(), settings.preprocess(), h.beta1(), h.beta2());
            AdamState adam = trainStep.adam();
            ParameterStore ps = trainStep.parameterStore();
            int startEpoch = 0;
            int bestEpoch = -1;
            double best = Double.NEGATIVE_INFINITY;
            if (resume) {
                ObjectNode state = readState(ckptDir);
                if (state != null) {
                    int last = state.get("epoch").asInt();
                    loadParams(net, manager, ckptDir.resolve(name(last) + ".params"));
                    trainStep.attachGradients();
                    adam.load(ckptDir.resolve(name(last) + ".adam"), manager);
                    startEpoch = last + 1;
                    bestEpoch = state.get("bestEpoch").asInt();
                    best = state.get("bestValidation").asDouble();
                    err.println("resuming after epoch " + (last + 1) + " (best so far: epoch " + (bestEpoch + 1) + ")");
                } else {
                    err.println("--resume: no checkpoint in " + ckptDir + ", starting from scratch");
                }
            }
            WeightAverage ema = h.emaDecay() > 0 ? new WeightAverage(manager, ModelInventory.parameters(net), h.emaDecay()) : null;
            if (ema != null && startEpoch > 0) {
                Path emaFile = ckptDir.resolve(name(startEpoch - 1) + ".ema");
                if (!Files.isRegularFile(emaFile)) {
                    throw new IllegalStateException("--resume: " + emaFile + " is missing (the run averaged weights); resume with the same flags");
                }
                ema.load(emaFile, manager);
            }
            float[][] targets = targets(trainSamples, seen);
            int batch = Math.min(h.batchSize(), train.size());
            int steps = train.size() / batch; // the last partial batch is dropped: BN needs > 1 image and equal batches keep the loss scale
            ConsoleProgress bar = settings.progress()
                    ? new ConsoleProgress("train", (long) (h.epochs() - startEpoch) * steps * batch, "img", err) : null;
            List<Double> losses = new ArrayList<>();
            double trainSeconds = 0;
            double cpu0 = cpuSeconds();
            long images = 0;
            int epochsRun = 0;
            for (int epoch = startEpoch; epoch < h.epochs(); epoch++) {
                long e0 = System.nanoTime();
                double lr = h.lrAt(epoch);
                int[] order = permutation(train.size(), new Random(h.seed() * 1_000_003L + epoch));
                double lossSum = 0;
                int finiteSteps = 0;
                long skippedBefore = trainStep.skippedSteps();
                int epochFinal = epoch;
                Future<float[]> next = pool.submit(() -> batchInputs(train, order, 0, batch, epochFinal));
                for (int step = 0; step < steps; step++) {
                    float[] x = get(next);
                    int nextStep = step + 1;
                    next = nextStep < steps ? pool.submit(() -> batchInputs(train, order, nextStep, batch, epochFinal)) : null;
                    float[] y = new float[batch * seen.size()];
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(targets[order[step * batch + b]], 0, y, b * seen.size(), seen.size());
                    }
                    double loss = trainStep.step(x, y, batch, epoch, lr, h.weightDecay());
                    if (!Double.isNaN(loss)) {
                        lossSum += loss;
                        finiteSteps++;
                        if (ema != null) {
                            ema.update();
                        }
                    }
                    images += batch;
                    if (bar != null) {
                        bar.update(images, String.format(Locale.ROOT, "epoch %d/%d loss %.4f", epoch + 1, h.epochs(), lossSum / Math.max(1, finiteSteps)));
                    }
                }
                double epochTrainSec = (System.nanoTime() - e0) / 1e9;
                trainSeconds += epochTrainSec;
                double meanLoss = lossSum / Math.max(1, finiteSteps);
                long skippedSteps = trainStep.skippedSteps() - skippedBefore;
                if (skippedSteps > 0) {
                    log.warn("skipped {} of {} steps of epoch {} with a non-finite loss or gradient", skippedSteps, steps, epoch + 1);
                }
                losses.add(meanLoss);
                if (ema != null) {
                    ema.apply();
                }
                double valMetric = validate(net, ps, manager, val, seen, seenVectors, pool);
                // without val images the last epoch is selected
                boolean isBest = Double.isNaN(valMetric) || Double.isNaN(best) || valMetric > best;
                if (isBest) {
                    best = valMetric;
                    bestEpoch = epoch;
                    // the weights just validated: the averaged ones when --ema is on
                    writeParams(net, outDir.resolve(ModelConfig.PARAMS_FILE));
                    config.withSelection(ModelConfig.PARAMS_FILE, epoch, SELECTION, best).write(outDir);
                }
                if (ema != null) {
                    ema.restore();
                    ema.save(ckptDir.resolve(name(epoch) + ".ema"), manager);
                }
                saveCheckpoint(net, adam, ckptDir, epoch, bestEpoch, best);
                pruneCheckpoints(ckptDir, epoch, bestEpoch);
                epochsRun++;
                double rate = (double) steps * batch / epochTrainSec;
                ObjectNode line = JSON.createObjectNode();
                line.put("epoch", epoch + 1);
                line.put("lr", lr);
                line.put("margin", lossFn.margin(epoch));
                line.put("loss", meanLoss);
                line.put("valSeenAuroc", valMetric);
                line.put("best", isBest);
                line.put("skippedSteps", skippedSteps);
                line.put("imagesPerSec", rate);
                line.put("trainSeconds", epochTrainSec);
                line.put("cpuSeconds", cpuSeconds() - cpu0);
                appendLog(outDir, line);
                if (bar != null) {
                    bar.finish();
                }
                err.println(String.format(Locale.ROOT, "epoch %d/%d loss %.4f val seen AUROC %.4f%s  %.1f img/s  %.0f s", epoch + 1, h.epochs(),
                        meanLoss, valMetric, isBest ? " (best)" : "", rate, epochTrainSec));
                if (settings.timeBudgetSec() > 0 && epoch + 1 < h.epochs()) {
                    double spent = (System.nanoTime() - t0) / 1e9;
                    if (spent + epochTrainSec * 1.1 > settings.timeBudgetSec()) {
                        err.println("time budget of " + settings.timeBudgetSec() + " s reached after epoch " + (epoch + 1) + "; stopping");
                        break;
                    }
                }
            }
            if (bestEpoch < 0) {
                throw new IllegalStateException("no epoch was trained (already complete? see " + ckptDir + "/state.json)");
            }
            return new Result(outDir, epochsRun, bestEpoch, best, trainSeconds, cpuSeconds() - cpu0,
                    images / Math.max(1e-9, trainSeconds), losses);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private ModelConfig baseConfig(GzslDataset data) {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        for (String l : data.allLabels()) {
            vectors.put(l, data.classVector(l));
        }
        return new ModelConfig(ModelConfig.FORMAT, settings.arch(), settings.preprocess(), data.classVectorDim(), data.classVectorEncoder(),
                settings.distance().id(), data.seenLabels(), data.unseenLabels(), vectors, settings.hyper(), ModelConfig.PARAMS_FILE, -1,
                SELECTION, Double.NaN);
    }

    /** Mean seen-class AUROC on val (see the class comment for why not a harmonic mean). */
    private double validate(CrossModalNet net, ParameterStore ps, NDManager manager, ImageSource val, List<String> seen, float[][] seenVectors,
            ExecutorService pool) {
        if (val.size() == 0) {
            return Double.NaN;
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < val.size(); i++) {
            samples.add(val.sample(i));
        }
        float[][] imgEmb;
        float[][] clsEmb;
        try (NDManager sub = manager.newSubManager()) {
            imgEmb = Scoring.embed(val, x -> forwardRows(net.visual(), ps, sub, x, true), settings.hyper().batchSize(), pool);
            clsEmb = forwardRows(net.semantic(), ps, sub, seenVectors, false);
        }
        float[][] scores = Scoring.scores(imgEmb, clsEmb, settings.distance());
        return GzslEvaluation.evaluate(samples, seen, Set.of(), scores).seenMean();
    }

    private float[][] forwardRows(ai.djl.nn.Block block, ParameterStore ps, NDManager sub, float[][] rows, boolean image) {
        try (NDManager m = sub.newSubManager()) {
            Shape shape = image
                    ? new Shape(rows.length, settings.preprocess().channels(), settings.preprocess().crop(), settings.preprocess().crop())
                    : new Shape(rows.length, rows[0].length);
            NDArray x = m.create(flat(rows), shape);
            NDArray y = block.forward(ps, new NDList(x), false).singletonOrThrow();
            int k = (int) y.getShape().get(1);
            float[] f = y.toFloatArray();
            float[][] out = new float[rows.length][k];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(f, i * k, out[i], 0, k);
            }
            return out;
        }
    }

    /** Random crop (+ flip) of each image of a batch; the RNG depends only on (seed, epoch, position) so runs and resumes repeat exactly. */
    private float[] batchInputs(ImageSource src, int[] order, int step, int batch, int epoch) {
        int size = settings.preprocess().tensorSize();
        float[] x = new float[batch * size];
        TrainHyper h = settings.hyper();
        for (int b = 0; b < batch; b++) {
            int pos = step * batch + b;
            ImagePreprocessor.Resized r = src.resized(order[pos]);
            float[] one;
            if (h.augment()) {
                Random rng = new Random(h.seed() * 31L + epoch * 1_000_003L + pos);
                one = src.preprocessor().preprocessTraining(IntensityJitter.apply(r, h.intensityJitter(), rng), rng, h.flip());
            } else {
                one = src.preprocessor().centerCrop(r);
            }
            System.arraycopy(one, 0, x, b * size, size);
        }
        return x;
    }

    private static float[][] targets(List<Sample> samples, List<String> seen) {
        float[][] t = new float[samples.size()][seen.size()];
        for (int i = 0; i < samples.size(); i++) {
            for (int j = 0; j < seen.size(); j++) {
                t[i][j] = samples.get(i).labels().contains(seen.get(j)) ? 1f : 0f;
            }
        }
        return t;
    }

    static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    static float[] flat(float[][] rows) {
        int k = rows.length == 0 ? 0 : rows[0].length;
        float[] f = new float[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, f, i * k, k);
        }
        return f;
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    static String name(int epoch) {
        return String.format(Locale.ROOT, "epoch-%03d", epoch + 1);
    }

    private static void writeParams(CrossModalNet net, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            net.saveParameters(new DataOutputStream(o));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void saveCheckpoint(CrossModalNet net, AdamState adam, Path dir, int epoch, int bestEpoch, double best) throws IOException {
        writeParams(net, dir.resolve(name(epoch) + ".params"));
        adam.save(dir.resolve(name(epoch) + ".adam"));
        ObjectNode state = JSON.createObjectNode();
        state.put("epoch", epoch);
        state.put("bestEpoch", bestEpoch);
        state.put("bestValidation", best);
        state.put("adamStep", adam.step());
        Path stateTmp = dir.resolve("state.json.tmp");
        Files.writeString(stateTmp, state.toString());
        Files.move(stateTmp, dir.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void pruneCheckpoints(Path dir, int epoch, int bestEpoch) throws IOException {
        // keep the last two epochs and the best one
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("epoch-") && (f.endsWith(".params") || f.endsWith(".adam") || f.endsWith(".ema"))) {
                    int e = Integer.parseInt(f.substring(6, 9)) - 1;
                    if (e < epoch - 1 && e != bestEpoch) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static ObjectNode readState(Path dir) throws IOException {
        Path f = dir.resolve("state.json");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        return (ObjectNode) JSON.readTree(f.toFile());
    }

    static void loadParams(CrossModalNet net, NDManager manager, Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            net.loadParameters(manager, new DataInputStream(in));
        } catch (ai.djl.MalformedModelException e) {
            throw new IOException("checkpoint " + file + " does not match the model: " + e.getMessage(), e);
        }
    }

    private static void appendLog(Path outDir, ObjectNode line) throws IOException {
        Files.writeString(outDir.resolve(LOG_FILE), line.toString() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    static double cpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }
}
