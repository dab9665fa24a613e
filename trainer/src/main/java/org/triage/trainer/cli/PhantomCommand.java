package org.triage.trainer.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.triage.trainer.data.DirectoryDataset;
import org.triage.trainer.phantom.PhantomConfig;
import org.triage.trainer.phantom.PhantomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Generate the synthetic phantom benchmark dataset. The defaults are the benchmark configuration. */
@Command(name = "phantom", mixinStandardHelpOptions = true,
        description = {"Generate the synthetic phantom benchmark dataset (chest-radiograph-like films, 10 seen / 4 unseen classes).",
            "The defaults ARE the benchmark configuration; the same seed gives byte-identical files."})
public final class PhantomCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "output folder (must be empty or absent unless --force)")
    Path out;

    @Option(names = "--seed", defaultValue = "" + PhantomConfig.DEFAULT_SEED, description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--size", defaultValue = "" + PhantomConfig.DEFAULT_SIZE, description = "image side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--train", defaultValue = "" + PhantomConfig.DEFAULT_TRAIN, description = "train images (default: ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--val", defaultValue = "" + PhantomConfig.DEFAULT_VAL, description = "validation images (default: ${DEFAULT-VALUE})")
    int val;

    @Option(names = "--test", defaultValue = "" + PhantomConfig.DEFAULT_TEST, description = "test images (default: ${DEFAULT-VALUE})")
    int test;

    @Option(names = "--threads", description = "render threads (default: all cores)")
    Integer threads;

    @Option(names = "--label-noise", defaultValue = "" + PhantomConfig.DEFAULT_LABEL_NOISE,
            description = "share of films with a corrupted label (default: ${DEFAULT-VALUE})")
    double labelNoise;

    @Option(names = "--unseen-share", defaultValue = "" + PhantomConfig.DEFAULT_UNSEEN_SHARE,
            description = "share of test films whose primary finding is unseen (default: ${DEFAULT-VALUE})")
    double unseenShare;

    @Option(names = "--vector-dim", defaultValue = "" + PhantomConfig.DEFAULT_VECTOR_DIM,
            description = "class vector dimension (default: ${DEFAULT-VALUE}, as BioBERT)")
    int vectorDim;

    @Option(names = "--no-preview", description = "skip the preview.png contact sheet")
    boolean noPreview;

    @Option(names = "--force", description = "overwrite a folder that already holds a dataset")
    boolean force;

    @Override
    public Integer call() {
        PhantomConfig config;
        try {
            config = new PhantomConfig(out, seed, size, train, val, test,
                    threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors()),
                    labelNoise, unseenShare, vectorDim, !noPreview);
        } catch (IllegalArgumentException e) {
            System.err.println("triage phantom: " + e.getMessage());
            return 2;
        }
        try {
            prepareOutput(out, force);
            PhantomGenerator.Result r = new PhantomGenerator(config, System.err).generate();
            System.out.printf(Locale.ROOT, "phantom: %d images (%d train, %d val, %d test, %dx%d) in %s, %.1f s (%.1f images/s), %d with label noise%n",
                    r.images(), train, val, test, size, size, out, r.seconds(), r.images() / r.seconds(), r.noisyLabels());
            if (!noPreview) {
                System.out.println("preview: " + out.resolve(PhantomGenerator.PREVIEW_FILE));
            }
            return 0;
        } catch (RuntimeException | IOException e) {
            System.err.println("triage phantom: " + e.getMessage());
            return 1;
        }
    }

    /** Refuses to mix two datasets in one folder; --force clears only what a phantom run writes. */
    static void prepareOutput(Path out, boolean force) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IOException(out + " exists and is not a folder");
        }
        if (!Files.isDirectory(out)) {
            return;
        }
        boolean empty;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(out)) {
            empty = !ds.iterator().hasNext();
        }
        if (empty) {
            return;
        }
        if (!force) {
            throw new IOException(out + " is not empty; choose a new folder or pass --force to overwrite a phantom dataset there");
        }
        Path images = out.resolve(DirectoryDataset.IMAGES_DIR);
        if (Files.isDirectory(images)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(images, "ph*.png")) {
                for (Path p : ds) {
                    Files.delete(p);
                }
            }
        }
        for (String f : List.of(DirectoryDataset.LABELS_FILE, DirectoryDataset.CLASSES_FILE, DirectoryDataset.INFO_FILE,
                PhantomGenerator.PREVIEW_FILE, PhantomGenerator.FINDINGS_FILE)) {
            Files.deleteIfExists(out.resolve(f));
        }
    }
}
