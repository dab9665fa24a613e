package org.triage.stream.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Class vectors from files: a vector file (a JSON array of numbers) or one named entry of a
 * class-embeddings file (a JSON object label -> array of numbers, the format of ChestX-ray14's
 * {@code nih14_biobert_1024.json} that the trainer reads). Every problem is an
 * {@link IllegalArgumentException} whose message says what to fix.
 */
final class ClassVectorFiles {
    static final long MAX_BYTES = 64L * 1024 * 1024;

    // Python's json.dump writes NaN/Infinity: read them so that the check can name them, instead of a parse error.
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private ClassVectorFiles() {
    }

    /** A JSON array of numbers. */
    static float[] vectorFile(Path file) {
        JsonNode node = read(file, "vector file");
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("vector file " + file + " must hold a non-empty JSON array of numbers");
        }
        return numbers(node, "vector file " + file);
    }

    /** Entry {@code entry} of a JSON object name -> array of numbers. */
    static float[] embeddingsEntry(Path file, String entry) {
        JsonNode root = read(file, "embeddings file");
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new IllegalArgumentException("embeddings file " + file
                    + " must hold a JSON object of class name -> array of numbers (the format of nih14_biobert_1024.json)");
        }
        JsonNode v = root.get(entry);
        if (v == null) {
            throw new IllegalArgumentException("embeddings file " + file + " has no entry '" + entry + "'" + suggestion(root, entry)
                    + "; available: " + available(root, 10) + " (--entry is case-sensitive)");
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("embeddings file " + file + ": entry '" + entry + "' is not a non-empty array of numbers");
        }
        return numbers(v, "embeddings file " + file + ", entry '" + entry + "'");
    }

    /** The encoder name a class-embeddings file stands for, by the trainer's rule (ChestXray14Dataset). */
    static String encoderName(Path embeddingsFile) {
        String file = embeddingsFile.getFileName().toString();
        if (file.toLowerCase(Locale.ROOT).contains("biobert")) {
            return "biobert";
        }
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static JsonNode read(Path file, String what) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(what + " " + file + " is a directory, not a JSON file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(what + " " + file + " is over 64 MiB: not a class vector file");
            }
            return JSON.readTree(file.toFile());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(what + " " + file + " cannot be read (permission denied)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(what + " " + file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static float[] numbers(JsonNode array, String where) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber()) {
                throw new IllegalArgumentException(where + ": element " + i + " is not a number");
            }
            out[i] = v.floatValue();
        }
        return out;
    }

    private static String suggestion(JsonNode root, String entry) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (n.equalsIgnoreCase(entry) || n.replace('_', ' ').equalsIgnoreCase(entry.replace('_', ' '))) {
                return " (did you mean '" + n + "'?)";
            }
        }
        return "";
    }

    static String available(JsonNode root, int max) {
        TreeSet<String> names = new TreeSet<>();
        root.fieldNames().forEachRemaining(names::add);
        List<String> shown = new ArrayList<>();
        for (String n : names) {
            if (shown.size() == max) {
                break;
            }
            shown.add(n);
        }
        return String.join(", ", shown) + (names.size() > max ? ", ... (" + names.size() + " in all)" : "");
    }
}
