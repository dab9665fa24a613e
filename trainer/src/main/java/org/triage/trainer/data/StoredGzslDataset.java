package org.triage.trainer.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What every on-disk dataset holds once read: label lists, class vectors and the splits. Readers differ only in how they fill it. */
abstract class StoredGzslDataset implements GzslDataset {
    private final Path root;
    private final List<String> seen;
    private final List<String> unseen;
    private final ClassVectors vectors;
    private final Map<String, List<Sample>> splits;

    StoredGzslDataset(Path root, List<String> seen, List<String> unseen, ClassVectors vectors, Map<String, List<Sample>> splits) {
        this.root = root;
        this.seen = List.copyOf(seen);
        this.unseen = List.copyOf(unseen);
        this.vectors = vectors;
        this.splits = splits;
    }

    @Override
    public final List<String> seenLabels() {
        return seen;
    }

    @Override
    public final List<String> unseenLabels() {
        return unseen;
    }

    @Override
    public final float[] classVector(String label) {
        return vectors.get(label);
    }

    @Override
    public final int classVectorDim() {
        return vectors.dim();
    }

    @Override
    public final String classVectorEncoder() {
        return vectors.encoder();
    }

    @Override
    public final List<Sample> split(String name) {
        List<Sample> s = splits.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown split '" + name + "' (train, val, test)");
        }
        return s;
    }

    @Override
    public final Path root() {
        return root;
    }
}
