package org.triage.trainer.phantom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.triage.schemas.cli.ConsoleProgress;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.triage.trainer.data.DirectoryDataset;

/**
 * Generates the phantom benchmark in the directory format {@link DirectoryDataset} reads.
 * Every film draws from its own random stream derived from (seed, index), so the output is
 * byte-identical for a seed whatever the number of threads or their scheduling.
 */
public final class PhantomGenerator {
    public static final String GENERATOR = "triage-phantom";
    public static final int FORMAT_VERSION = 1;
    public static final String PREVIEW_FILE = "preview.png";
    public static final String FINDINGS_FILE = "findings.csv";

    private final PhantomConfig config;
    private final PrintStream progressOut;

    public PhantomGenerator(PhantomConfig config, PrintStream progressOut) {
        this.config = config;
        this.progressOut = progressOut;
    }

    /** Summary of one generation run. */
    public record Result(int images, int noisyLabels, double seconds) {}

    public Result generate() {
        long start = System.nanoTime();
        Path out = config.out();
        Path images = out.resolve(DirectoryDataset.IMAGES_DIR);
        try {
            Files.createDirectories(images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + images + ": " + e.getMessage(), e);
        }
        int total = config.total();
        LabelSampler sampler = new LabelSampler(config.labelNoise(), config.unseenShareInTest());
        LabelSampler.Draw[] draws = new LabelSampler.Draw[total];
        ConsoleProgress progress = new ConsoleProgress("phantom", total, "img", progressOut);
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "phantom-render");
            t.setDaemon(true);
            return t;
        });
        try {
            // Each worker takes a contiguous stripe of indices; the content depends only on the index.
            int workers = config.threads();
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < total) {
                        draws[i] = renderOne(i, sampler, images);
                        progress.update(done.incrementAndGet());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("phantom generation interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("phantom generation failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        int noisy = 0;
        for (LabelSampler.Draw d : draws) {
            noisy += d.noisy() ? 1 : 0;
        }
        try {
            writeLabels(out, draws);
            writeFindings(out, draws);
            writeClasses(out);
            writeInfo(out, draws, noisy);
            if (config.preview()) {
                PreviewSheet.write(out.resolve(PREVIEW_FILE), out, ids(), draws, splitsOf(), config.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dataset files in " + out + ": " + e.getMessage(), e);
        }
        return new Result(total, noisy, (System.nanoTime() - start) / 1e9);
    }

    private LabelSampler.Draw renderOne(int index, LabelSampler sampler, Path images) throws IOException {
        SplittableRandom rng = new SplittableRandom(mix(config.seed(), 1, index));
        LabelSampler.Draw draw = sampler.draw(split(index).equals("test"), rng);
        byte[] pixels = render(draw.shown(), rng, config.size());
        writePng(images.resolve(id(index) + ".png"), pixels, config.size());
        return draw;
    }

    /** Renders one film with the given findings; the random stream fixes patient, findings' instances and noise. */
    static byte[] render(List<PhantomClass> findings, SplittableRandom rng, int size) {
        // Separate streams for patient, findings and noise: the same film with and without a
        // finding differs only by the finding (what the tests and the preview rely on).
        SplittableRandom patientRng = rng.split();
        SplittableRandom findingRng = rng.split();
        SplittableRandom noiseRng = rng.split();
        Anatomy an = new Anatomy(patientRng);
        Canvas canvas = new Canvas(2 * size, an);
        ChestRenderer.paintAnatomy(canvas, an);
        for (PhantomClass c : findings) {
            FindingPainter.paint(canvas, an, c, findingRng);
        }
        return ChestRenderer.develop(canvas, an, noiseRng);
    }

    /**
     * One film showing {@code findings}, which may be any attribute combination, in the catalog or not: for the demo's
     * never-described pattern, rendered by the same painter as the dataset (never part of it, its training or its
     * evaluation). The film depends only on (seed, index); stream 2 keeps it apart from the dataset's films of the same seed.
     */
    public static byte[] renderFilm(List<PhantomClass> findings, long seed, long index, int size) {
        return render(findings, new SplittableRandom(mix(seed, 2, index)), size);
    }

    /** {@link #renderFilm}'s pixels as an 8-bit grey PNG, as the dataset's films are stored. */
    public static void writeFilm(Path file, byte[] pixels, int size) throws IOException {
        writePng(file, pixels, size);
    }

    static void writePng(Path file, byte[] pixels, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, size, size, pixels);
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    String split(int index) {
        if (index < config.train()) {
            return "train";
        }
        return index < config.train() + config.val() ? "val" : "test";
    }

    private List<String> splitsOf() {
        List<String> s = new ArrayList<>(config.total());
        for (int i = 0; i < config.total(); i++) {
            s.add(split(i));
        }
        return s;
    }

    private List<String> ids() {
        List<String> s = new ArrayList<>(config.total());
        for (int i = 0; i < config.total(); i++) {
            s.add(id(i));
        }
        return s;
    }

    static String id(int index) {
        return String.format(Locale.ROOT, "ph%07d", index);
    }

    /** SplitMix64-style mixing of (seed, stream, index) into an independent stream seed. */
    static long mix(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void writeLabels(Path out, LabelSampler.Draw[] draws) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve(DirectoryDataset.LABELS_FILE), StandardCharsets.UTF_8)) {
            w.write(DirectoryDataset.LABELS_HEADER + "\n");
            for (int i = 0; i < draws.length; i++) {
                w.write(id(i) + "," + split(i) + "," + String.join("|", draws[i].labels()) + "\n");
            }
        }
    }

    /** What each film really shows (labels.csv carries the noisy labels); for diagnostics only. */
    private void writeFindings(Path out, LabelSampler.Draw[] draws) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve(FINDINGS_FILE), StandardCharsets.UTF_8)) {
            w.write("image,split,shown,labelNoise\n");
            for (int i = 0; i < draws.length; i++) {
                List<String> names = draws[i].shown().stream().map(PhantomClass::name).toList();
                w.write(id(i) + "," + split(i) + "," + String.join("|", names) + "," + (draws[i].noisy() ? 1 : 0) + "\n");
            }
        }
    }

    private void writeClasses(Path out) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        ArrayNode seen = root.putArray("seen");
        PhantomCatalog.seenClasses().forEach(c -> seen.add(c.name()));
        ArrayNode unseen = root.putArray("unseen");
        PhantomCatalog.unseenClasses().forEach(c -> unseen.add(c.name()));
        root.put("encoder", SemanticVectors.ENCODER);
        root.put("dim", config.vectorDim());
        // Laterality is part of several classes, so a horizontal flip would change the label.
        root.put("horizontalFlipPreservesLabels", false);
        ObjectNode vectors = root.putObject("vectors");
        for (Map.Entry<String, float[]> e : SemanticVectors.build(config.seed(), config.vectorDim()).entrySet()) {
            ArrayNode arr = vectors.putArray(e.getKey());
            for (float x : e.getValue()) {
                arr.add(x);
            }
        }
        om.writeValue(out.resolve(DirectoryDataset.CLASSES_FILE).toFile(), root);
    }

    private void writeInfo(Path out, LabelSampler.Draw[] draws, int noisy) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("generator", GENERATOR);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("seed", config.seed());
        root.put("imageSize", config.size());
        root.put("bitDepth", 8);
        ObjectNode counts = root.putObject("counts");
        counts.put("train", config.train());
        counts.put("val", config.val());
        counts.put("test", config.test());
        root.put("labelNoise", config.labelNoise());
        root.put("noisyLabelImages", noisy);
        root.put("unseenShareInTest", config.unseenShareInTest());
        root.put("horizontalFlipPreservesLabels", false);
        ArrayNode attrs = root.putArray("attributes");
        for (AttributeGroup g : PhantomCatalog.GROUPS) {
            ObjectNode a = attrs.addObject();
            a.put("name", g.name());
            ArrayNode vals = a.putArray("values");
            g.values().forEach(vals::add);
        }
        ArrayNode classes = root.putArray("classes");
        for (PhantomClass c : PhantomCatalog.CLASSES) {
            ObjectNode o = classes.addObject();
            o.put("name", c.name());
            o.put("unseen", c.unseen());
            o.put("prevalence", c.prevalence());
            ObjectNode a = o.putObject("attributes");
            for (int g = 0; g < PhantomCatalog.GROUPS.size(); g++) {
                a.put(PhantomCatalog.GROUPS.get(g).name(), c.attributes().get(g));
            }
        }
        ArrayNode co = root.putArray("cooccurringPairs");
        for (String[] p : PhantomCatalog.COOCCURRING) {
            co.addArray().add(p[0]).add(p[1]);
        }
        root.put("cooccurrenceBoost", PhantomCatalog.COOCCURRENCE_BOOST);
        ObjectNode vec = root.putObject("classVectors");
        vec.put("encoder", SemanticVectors.ENCODER);
        vec.put("dim", config.vectorDim());
        vec.put("method", "multi-hot attribute encoding / sqrt(groups) x Gaussian projection (std "
                + SemanticVectors.ELEMENT_STD + ") + Gaussian noise (std " + SemanticVectors.NOISE_STD + ")");
        Map<String, Map<String, Integer>> positives = new LinkedHashMap<>();
        for (String s : List.of("train", "val", "test")) {
            Map<String, Integer> m = new LinkedHashMap<>();
            PhantomCatalog.CLASSES.forEach(c -> m.put(c.name(), 0));
            positives.put(s, m);
        }
        for (int i = 0; i < draws.length; i++) {
            Map<String, Integer> m = positives.get(split(i));
            draws[i].labels().forEach(l -> m.merge(l, 1, Integer::sum));
        }
        root.set("labelPositives", om.valueToTree(positives));
        om.writeValue(out.resolve(DirectoryDataset.INFO_FILE).toFile(), root);
    }
}
