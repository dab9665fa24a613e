package org.triage.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The directory format written by {@code triage phantom}:
 * <pre>
 * DIR/images/&lt;imageId&gt;.png   8- or 16-bit grayscale PNG
 * DIR/labels.csv                header image,split,labels ; labels '|'-separated
 * DIR/classes.json              {"seen":[...],"unseen":[...],"encoder":"...","vectors":{label:[floats]}}
 * DIR/dataset.json              generator, seed, counts, attribute definitions (informational)
 * </pre>
 */
public final class DirectoryDataset extends StoredGzslDataset {
    public static final String IMAGES_DIR = "images";
    public static final String LABELS_FILE = "labels.csv";
    public static final String CLASSES_FILE = "classes.json";
    public static final String INFO_FILE = "dataset.json";
    public static final String LABELS_HEADER = "image,split,labels";
    static final Set<String> SPLITS = Set.of("train", "val", "test");

    private final boolean flipSafe;

    private DirectoryDataset(Path root, List<String> seen, List<String> unseen, ClassVectors vectors, Map<String, List<Sample>> splits,
            boolean flipSafe) {
        super(root, seen, unseen, vectors, splits);
        this.flipSafe = flipSafe;
    }

    public static DirectoryDataset open(Path dir) {
        Path classesFile = dir.resolve(CLASSES_FILE);
        Path labelsFile = dir.resolve(LABELS_FILE);
        if (!Files.isRegularFile(classesFile)) {
            throw new DatasetFormatException("missing " + classesFile);
        }
        if (!Files.isRegularFile(labelsFile)) {
            throw new DatasetFormatException("missing " + labelsFile);
        }
        JsonNode classes;
        try {
            classes = new ObjectMapper().readTree(classesFile.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException("cannot parse " + classesFile + ": " + e.getMessage(), e);
        }
        List<String> seen = stringList(classes, "seen", classesFile);
        List<String> unseen = stringList(classes, "unseen", classesFile);
        Set<String> all = new LinkedHashSet<>(seen);
        for (String u : unseen) {
            if (!all.add(u)) {
                throw new DatasetFormatException(classesFile + ": label '" + u + "' is listed twice (seen and unseen must be disjoint)");
            }
        }
        if (all.size() != seen.size() + unseen.size()) {
            throw new DatasetFormatException(classesFile + ": duplicate labels in 'seen'");
        }
        String encoder = classes.path("encoder").asText("unknown");
        ClassVectors vectors = ClassVectors.fromJson(classes.get("vectors"), classesFile + " 'vectors'", encoder);
        for (String label : all) {
            if (!vectors.has(label)) {
                throw new DatasetFormatException(classesFile + ": no vector for label '" + label + "'");
            }
        }
        Map<String, List<Sample>> splits = readLabels(labelsFile, dir.resolve(IMAGES_DIR), all, new HashSet<>(unseen));
        boolean flipSafe = classes.path("horizontalFlipPreservesLabels").asBoolean(true);
        return new DirectoryDataset(dir, seen, unseen, vectors, splits, flipSafe);
    }

    private static List<String> stringList(JsonNode node, String field, Path file) {
        JsonNode arr = node.get(field);
        if (arr == null || !arr.isArray() || arr.isEmpty()) {
            throw new DatasetFormatException(file + ": '" + field + "' must be a non-empty array of label names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) {
            if (!n.isTextual() || n.asText().isBlank()) {
                throw new DatasetFormatException(file + ": '" + field + "' holds a non-string or blank entry");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static Map<String, List<Sample>> readLabels(Path file, Path imagesDir, Set<String> known, Set<String> unseen) {
        Map<String, List<Sample>> splits = new HashMap<>();
        SPLITS.forEach(s -> splits.put(s, new ArrayList<>()));
        Set<String> ids = new HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.strip().equals(LABELS_HEADER)) {
                throw new DatasetFormatException(file + ": header must be '" + LABELS_HEADER + "', found '" + header + "'");
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 3) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": expected 3 fields image,split,labels, found " + f.length);
                }
                String id = f[0].strip();
                String split = f[1].strip();
                if (id.isEmpty() || id.contains("/") || id.contains("\\") || id.startsWith(".")) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": invalid image id '" + id + "'");
                }
                if (!ids.add(id)) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": image '" + id + "' is listed twice");
                }
                if (!SPLITS.contains(split)) {
                    throw new DatasetFormatException(file + ":" + lineNo + ": unknown split '" + split + "' (train, val, test)");
                }
                Set<String> labels = parseLabels(f[2], known, file + ":" + lineNo);
                if (!split.equals("test")) {
                    for (String l : labels) {
                        if (unseen.contains(l)) {
                            throw new DatasetFormatException(file + ":" + lineNo + ": image '" + id + "' in split '" + split
                                    + "' carries unseen label '" + l + "' (unseen images belong to test only)");
                        }
                    }
                }
                splits.get(split).add(new Sample(id, imagesDir.resolve(id + ".png"), labels));
            }
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, List<Sample>> frozen = new HashMap<>();
        splits.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return frozen;
    }

    static Set<String> parseLabels(String field, Set<String> known, String where) {
        Set<String> labels = new LinkedHashSet<>();
        for (String l : field.split("\\|")) {
            String t = l.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (!known.contains(t)) {
                throw new DatasetFormatException(where + ": unknown label '" + t + "'");
            }
            labels.add(t);
        }
        if (labels.isEmpty()) {
            throw new DatasetFormatException(where + ": image has no label (every image carries at least one finding)");
        }
        return labels;
    }







    @Override
    public boolean horizontalFlipPreservesLabels() {
        return flipSafe;
    }

}
