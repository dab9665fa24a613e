package org.triage.trainer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NIH ChestX-ray14 in its official layout, adapted to the GZSL setting of the paper:
 * "No Finding" is dropped everywhere, every image carrying an unseen label is dropped from
 * train and val, 10 seen and 4 unseen classes (Edema, Pneumonia, Emphysema, Fibrosis).
 *
 * <p>Inputs: the label file {@code Data_Entry_2017*.csv[.gz]}, a split file (a CSV with
 * columns image,split[,labels] such as {@code gzsl_split_reference.csv.gz}, or the official
 * {@code train_val_list.txt} + {@code test_list.txt}, or {@code train_list.txt}/{@code val_list.txt}/{@code test_list.txt}),
 * class vectors (JSON label -> vector, e.g. BioBERT) and the image folder(s)
 * ({@code images/} or the official {@code images_NNN/images/}). Labels always come from the label
 * file; a labels column in the split file is only cross-checked.
 */
public final class ChestXray14Dataset extends StoredGzslDataset {
    private static final Logger log = LoggerFactory.getLogger(ChestXray14Dataset.class);

    public static final List<String> SEEN = List.of("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass",
            "Nodule", "Pneumothorax", "Consolidation", "Pleural_Thickening", "Hernia");
    public static final List<String> UNSEEN = List.of("Edema", "Pneumonia", "Emphysema", "Fibrosis");
    public static final String NO_FINDING = "No Finding";
    public static final String SPLIT_REFERENCE = "gzsl_split_reference.csv.gz";
    /** Share of train_val patients held out for validation when only the official two lists exist. */
    public static final double DEFAULT_VAL_FRACTION = 0.125;

    /** Where everything is; null fields are auto-detected from {@code root}. */
    public record Options(Path root, Path labelFile, Path splitFile, Path vectorsFile, List<Path> imageDirs, double valFraction) {
        public Options {
            Objects.requireNonNull(root, "root");
        }

        public static Options of(Path root) {
            return new Options(root, null, null, null, null, DEFAULT_VAL_FRACTION);
        }

        public Options withSplitFile(Path p) {
            return new Options(root, labelFile, p, vectorsFile, imageDirs, valFraction);
        }

        public Options withVectorsFile(Path p) {
            return new Options(root, labelFile, splitFile, p, imageDirs, valFraction);
        }

        public Options withImageDirs(List<Path> dirs) {
            return new Options(root, labelFile, splitFile, vectorsFile, dirs, valFraction);
        }
    }

    private final Map<String, Integer> present;

    private ChestXray14Dataset(Path root, ClassVectors vectors, Map<String, List<Sample>> splits, Map<String, Integer> present) {
        super(root, SEEN, UNSEEN, vectors, splits);
        this.present = present;
    }

    public static ChestXray14Dataset open(Path root) {
        return open(Options.of(root));
    }

    public static ChestXray14Dataset open(Options o) {
        Path root = o.root();
        Path labelFile = o.labelFile() != null ? o.labelFile() : findLabelFile(root);
        if (labelFile == null || !Files.isRegularFile(labelFile)) {
            throw new DatasetFormatException("no ChestX-ray14 label file (Data_Entry_2017*.csv[.gz]) in " + root);
        }
        Path vectorsFile = o.vectorsFile() != null ? o.vectorsFile() : findVectorsFile(root);
        if (vectorsFile == null || !Files.isRegularFile(vectorsFile)) {
            throw new DatasetFormatException("no class vectors for ChestX-ray14: put a JSON label -> vector file at "
                    + root.resolve("class_vectors.json") + " (or *biobert*.json beside it or in ../biobert), or pass it explicitly");
        }
        ClassVectors vectors = ClassVectors.readJson(vectorsFile, encoderName(vectorsFile));
        for (String l : allLabelsStatic()) {
            if (!vectors.has(l)) {
                throw new DatasetFormatException(vectorsFile + ": no vector for ChestX-ray14 class '" + l + "'");
            }
        }
        Map<String, Entry> entries = readLabelFile(labelFile);
        Map<String, String> splitOf = readSplits(o, entries);
        List<Path> imageDirs = o.imageDirs() != null ? o.imageDirs() : findImageDirs(root);
        Map<String, Path> onDisk = indexImages(imageDirs);
        Path fallbackDir = imageDirs.isEmpty() ? root.resolve("images") : imageDirs.get(0);

        Set<String> unseen = Set.copyOf(UNSEEN);
        Map<String, List<Sample>> splits = new LinkedHashMap<>();
        Map<String, Integer> present = new HashMap<>();
        for (String s : List.of("train", "val", "test")) {
            splits.put(s, new ArrayList<>());
            present.put(s, 0);
        }
        for (Map.Entry<String, String> e : splitOf.entrySet()) {
            String file = e.getKey();
            Entry entry = entries.get(file);
            if (entry == null) {
                throw new DatasetFormatException("split file lists image '" + file + "' that the label file " + labelFile + " lacks");
            }
            Set<String> labels = new LinkedHashSet<>(entry.labels());
            labels.remove(NO_FINDING);
            if (labels.isEmpty()) {
                continue; // the paper drops No Finding images everywhere
            }
            String split = e.getValue();
            if (!split.equals("test") && labels.stream().anyMatch(unseen::contains)) {
                continue; // train and val never see an unseen class
            }
            Path p = onDisk.get(file);
            if (p != null) {
                present.merge(split, 1, Integer::sum);
            } else {
                p = fallbackDir.resolve(file);
            }
            splits.get(split).add(new Sample(stripExtension(file), p, labels));
        }
        Map<String, List<Sample>> frozen = new LinkedHashMap<>();
        splits.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        ChestXray14Dataset ds = new ChestXray14Dataset(root, vectors, frozen, Map.copyOf(present));
        log.info("ChestX-ray14: train {} val {} test {} images ({} / {} / {} present on disk)",
                frozen.get("train").size(), frozen.get("val").size(), frozen.get("test").size(),
                present.get("train"), present.get("val"), present.get("test"));
        return ds;
    }

    private record Entry(String patientId, Set<String> labels) {}

    private static List<String> allLabelsStatic() {
        List<String> all = new ArrayList<>(SEEN);
        all.addAll(UNSEEN);
        return all;
    }

    private static String encoderName(Path vectorsFile) {
        String n = vectorsFile.getFileName().toString().toLowerCase();
        return n.contains("biobert") ? "biobert" : stripExtension(vectorsFile.getFileName().toString());
    }

    static String stripExtension(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** The label file in {@code dir}, or null. */
    public static Path findLabelFile(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "Data_Entry_2017*.{csv,csv.gz}")) {
            List<Path> found = new ArrayList<>();
            ds.forEach(found::add);
            found.sort(null);
            // The v2020 relabelled file sorts last and is the one to prefer.
            return found.isEmpty() ? null : found.get(found.size() - 1);
        } catch (IOException e) {
            throw new DatasetFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static Path findVectorsFile(Path root) {
        Path explicit = root.resolve("class_vectors.json");
        if (Files.isRegularFile(explicit)) {
            return explicit;
        }
        for (Path dir : new Path[] {root, root.toAbsolutePath().getParent() == null ? null : root.toAbsolutePath().getParent().resolve("biobert")}) {
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*biobert*.json")) {
                for (Path p : ds) {
                    return p;
                }
            } catch (IOException e) {
                throw new DatasetFormatException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        return null;
    }

    static List<Path> findImageDirs(Path root) {
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(root.resolve("images"))) {
            dirs.add(root.resolve("images"));
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "images_*")) {
            List<Path> parts = new ArrayList<>();
            for (Path p : ds) {
                Path inner = p.resolve("images");
                parts.add(Files.isDirectory(inner) ? inner : p);
            }
            parts.sort(null);
            dirs.addAll(parts);
        } catch (IOException e) {
            throw new DatasetFormatException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return dirs;
    }

    private static Map<String, Path> indexImages(List<Path> dirs) {
        Map<String, Path> index = new HashMap<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new DatasetFormatException("image folder " + d + " does not exist");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.png")) {
                for (Path p : ds) {
                    index.putIfAbsent(p.getFileName().toString(), p);
                }
            } catch (IOException e) {
                throw new DatasetFormatException("cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        return index;
    }

    static BufferedReader reader(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    private static Map<String, Entry> readLabelFile(Path file) {
        Map<String, Entry> out = new HashMap<>(150_000);
        Set<String> known = new LinkedHashSet<>(allLabelsStatic());
        known.add(NO_FINDING);
        try (BufferedReader r = reader(file)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("Image Index,Finding Labels,")) {
                throw new DatasetFormatException(file + ": not a ChestX-ray14 label file (header must start with 'Image Index,Finding Labels,')");
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", 5);
                if (f.length < 4) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": too few columns");
                }
                Set<String> labels = new LinkedHashSet<>();
                for (String l : f[1].split("\\|")) {
                    String t = l.strip();
                    if (!known.contains(t)) {
                        throw new DatasetFormatException(file + ":" + lineNo + ": unknown finding label '" + t + "'");
                    }
                    labels.add(t);
                }
                if (out.put(f[0].strip(), new Entry(f[3].strip(), labels)) != null) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": image '" + f[0] + "' listed twice");
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** image file name -> split, in file order. */
    private static Map<String, String> readSplits(Options o, Map<String, Entry> entries) {
        Path root = o.root();
        Path splitFile = o.splitFile();
        if (splitFile == null) {
            if (Files.isRegularFile(root.resolve(SPLIT_REFERENCE))) {
                splitFile = root.resolve(SPLIT_REFERENCE);
            } else if (Files.isRegularFile(root.resolve("test_list.txt"))) {
                return readLists(root, entries, o.valFraction());
            } else {
                throw new DatasetFormatException("no split in " + root + ": expected " + SPLIT_REFERENCE
                        + " (columns image,split[,labels]) or train_val_list.txt + test_list.txt");
            }
        }
        if (Files.isDirectory(splitFile)) {
            return readLists(splitFile, entries, o.valFraction());
        }
        return readSplitCsv(splitFile, entries);
    }

    private static Map<String, String> readSplitCsv(Path file, Map<String, Entry> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = reader(file)) {
            String header = r.readLine();
            if (header == null || !header.strip().startsWith("image,split")) {
                throw new DatasetFormatException(file + ": split file header must start with 'image,split', found '" + header + "'");
            }
            boolean hasLabels = header.strip().equals("image,split,labels");
            String line;
            int lineNo = 1;
            int mismatches = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                String image = f[0].strip();
                if (!image.endsWith(".png")) {
                    image = image + ".png";
                }
                String split = f.length > 1 ? f[1].strip() : "";
                if (!DirectoryDataset.SPLITS.contains(split)) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": unknown split '" + split + "' (train, val, test)");
                }
                if (out.put(image, split) != null) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": image '" + image + "' listed twice");
                }
                if (hasLabels && f.length > 2) {
                    Entry e = entries.get(image);
                    Set<String> given = new LinkedHashSet<>(List.of(f[2].split("\\|")));
                    Set<String> mine = e == null ? Set.of() : new LinkedHashSet<>(e.labels());
                    if (!given.equals(mine)) {
                        mismatches++;
                    }
                }
            }
            if (mismatches > 0) {
                // Labels come from the label file; a different label-file version explains a mismatch.
                log.warn("{} images of {} carry labels different from the label file; the label file wins", mismatches, file);
            }
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The official lists: train_val_list.txt + test_list.txt (val carved out by patient, deterministically),
     * or train_list.txt + val_list.txt + test_list.txt.
     */
    private static Map<String, String> readLists(Path dir, Map<String, Entry> entries, double valFraction) {
        Map<String, String> out = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.resolve("train_list.txt")) && Files.isRegularFile(dir.resolve("val_list.txt"))) {
            readList(dir.resolve("train_list.txt"), "train", out);
            readList(dir.resolve("val_list.txt"), "val", out);
        } else if (Files.isRegularFile(dir.resolve("train_val_list.txt"))) {
            Map<String, String> tv = new LinkedHashMap<>();
            readList(dir.resolve("train_val_list.txt"), "train", tv);
            for (String image : tv.keySet()) {
                Entry e = entries.get(image);
                String patient = e == null ? image : e.patientId();
                // A stable hash of the patient id keeps val patient-disjoint from train and reproducible.
                double u = (mix(patient.hashCode()) >>> 11) * 0x1.0p-53;
                out.put(image, u < valFraction ? "val" : "train");
            }
        } else {
            throw new DatasetFormatException(dir + ": expected train_val_list.txt (or train_list.txt + val_list.txt) beside test_list.txt");
        }
        readList(dir.resolve("test_list.txt"), "test", out);
        return out;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static void readList(Path file, String split, Map<String, String> out) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException("missing split list " + file);
        }
        try (BufferedReader r = reader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                String image = line.strip();
                if (!image.isEmpty()) {
                    out.put(image.endsWith(".png") ? image : image + ".png", split);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** How many images of the split exist on disk. */
    public int presentImageCount(String split) {
        split(split);
        return present.get(split);
    }







}
