package org.triage.cli.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;

/**
 * Whether the model holds a class as a group, where no single film of it stands out: the centroid
 * of the films whose only finding is the class, against the seen labels' empirical centres (the
 * mean embedding of the validation films carrying each label, where the seen labels' own films
 * lie). The shift is the distance to the nearest such centre in that label's spreads (median
 * distance of its films to it); times sqrt(n) it is about 1 for a group of a known class (the
 * noise of a mean of n films) and larger for a class that sits apart. A diagnostic with the
 * phantom's truth, like purity: the stream sees no labels.
 */
final class GroupShift {
    private static final int MIN_FILMS = 3;

    private GroupShift() {
    }

    /** @param json the summary's groupShift; z of the class, the largest z of a known class (NaN: none measured) */
    record Result(Map<String, Object> json, double emergingZ, double knownMaxZ, double storedVsFile) {
    }

    /**
     * @param sops the films to group (SOP UIDs of {@code bySop}, their stored embeddings in {@code embeddings})
     * @return per class with at least {@value #MIN_FILMS} sole-finding films: films, shift, z (= shift x sqrt(films)); and how far
     *         the stored embeddings lie from the same films embedded from their files here, in label spreads
     */
    static Result measure(InProcessCalibrator model, GzslDataset dataset, String emerging, java.util.Collection<String> sops,
                          Map<String, Sample> bySop, Map<String, float[]> embeddings) throws IOException {
        List<Sample> val = dataset.split("val");
        List<float[]> valEmbeddings = model.embed(val);
        List<float[]> centres = new ArrayList<>();
        List<Double> spreads = new ArrayList<>();
        for (String label : dataset.seenLabels()) {
            List<float[]> of = new ArrayList<>();
            for (int i = 0; i < val.size(); i++) {
                if (val.get(i).labels().contains(label)) of.add(valEmbeddings.get(i));
            }
            if (of.isEmpty()) continue;
            float[] c = mean(of);
            double[] d = of.stream().mapToDouble(e -> model.distance(e, c)).sorted().toArray();
            centres.add(c);
            spreads.add(d[d.length / 2]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        // The same films embedded from their image files here: how far the stored embeddings (through DICOM and
        // ingest) lie from them, in label spreads; a shift of every film moves every group away from the centres.
        List<String> stored = sops.stream().filter(embeddings::containsKey).sorted().toList();
        List<float[]> fromFiles = model.embed(stored.stream().map(bySop::get).toList());
        double[] skew = new double[stored.size()];
        double spread = spreads.stream().mapToDouble(Double::doubleValue).sorted().toArray()[spreads.size() / 2];
        for (int i = 0; i < skew.length; i++) {
            skew[i] = model.distance(embeddings.get(stored.get(i)), fromFiles.get(i)) / spread;
        }
        java.util.Arrays.sort(skew);
        double storedVsFile = skew.length == 0 ? Double.NaN : skew[skew.length / 2];
        out.put("storedVsFileMedian", DemoNumbers.round(storedVsFile));
        double emergingZ = Double.NaN;
        double knownMaxZ = Double.NaN;
        for (String label : dataset.allLabels()) {
            List<float[]> of = sops.stream().filter(s -> bySop.get(s).labels().equals(Set.of(label))).map(embeddings::get)
                    .filter(java.util.Objects::nonNull).toList();
            if (of.size() < MIN_FILMS || centres.isEmpty()) continue;
            float[] c = mean(of);
            double shift = Double.POSITIVE_INFINITY;
            for (int i = 0; i < centres.size(); i++) {
                shift = Math.min(shift, model.distance(c, centres.get(i)) / spreads.get(i));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("films", of.size());
            m.put("shift", DemoNumbers.round(shift));
            double z = shift * Math.sqrt(of.size());
            m.put("z", DemoNumbers.round(z));
            out.put(label, m);
            if (label.equals(emerging)) {
                emergingZ = z;
            } else if (!(z <= knownMaxZ)) {
                knownMaxZ = z;
            }
        }
        return new Result(out, emergingZ, knownMaxZ, storedVsFile);
    }

    private static float[] mean(List<float[]> v) {
        float[] m = new float[v.get(0).length];
        for (float[] x : v) {
            for (int i = 0; i < m.length; i++) m[i] += x[i] / v.size();
        }
        return m;
    }
}
