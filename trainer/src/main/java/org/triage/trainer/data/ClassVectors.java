package org.triage.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Class semantic vectors: label -> float vector, all of one dimension. Loaded from JSON objects. */
public final class ClassVectors {
    private final Map<String, float[]> vectors;
    private final int dim;
    private final String encoder;

    public ClassVectors(Map<String, float[]> vectors, String encoder) {
        if (vectors.isEmpty()) {
            throw new DatasetFormatException("no class vectors given");
        }
        int d = -1;
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            if (d < 0) {
                d = e.getValue().length;
            } else if (e.getValue().length != d) {
                throw new DatasetFormatException("class vector of '" + e.getKey() + "' has " + e.getValue().length
                        + " dimensions, others have " + d);
            }
            copy.put(e.getKey(), e.getValue().clone());
        }
        if (d == 0) {
            throw new DatasetFormatException("class vectors are empty (0 dimensions)");
        }
        this.vectors = copy;
        this.dim = d;
        this.encoder = encoder;
    }

    /** Reads a JSON file {@code {"label": [floats], ...}} (e.g. the BioBERT embeddings), any dimension. */
    public static ClassVectors readJson(Path file, String encoder) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read class vectors " + file + ": " + e.getMessage(), e);
        }
        return fromJson(root, file.toString(), encoder);
    }

    /** Parses an object node label -> array of numbers; {@code where} names the source in errors. */
    static ClassVectors fromJson(JsonNode root, String where, String encoder) {
        if (root == null || !root.isObject()) {
            throw new DatasetFormatException(where + ": class vectors must be a JSON object label -> [numbers]");
        }
        Map<String, float[]> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode arr = e.getValue();
            if (!arr.isArray()) {
                throw new DatasetFormatException(where + ": vector of '" + e.getKey() + "' is not an array");
            }
            float[] v = new float[arr.size()];
            for (int i = 0; i < v.length; i++) {
                JsonNode x = arr.get(i);
                if (!x.isNumber()) {
                    throw new DatasetFormatException(where + ": vector of '" + e.getKey() + "' has a non-number at index " + i);
                }
                v[i] = x.floatValue();
                if (!Float.isFinite(v[i])) {
                    throw new DatasetFormatException(where + ": vector of '" + e.getKey() + "' has a non-finite value at index " + i);
                }
            }
            map.put(e.getKey(), v);
        }
        return new ClassVectors(map, encoder);
    }

    public boolean has(String label) {
        return vectors.containsKey(label);
    }

    public float[] get(String label) {
        float[] v = vectors.get(label);
        if (v == null) {
            throw new IllegalArgumentException("no class vector for label '" + label + "' (known: " + vectors.keySet() + ")");
        }
        return v.clone();
    }

    public int dim() {
        return dim;
    }

    public String encoder() {
        return encoder;
    }

    public Map<String, float[]> asMap() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        vectors.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }
}
