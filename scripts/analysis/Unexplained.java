import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.function.*;
import org.triage.stream.model.*;
import org.triage.stream.calibration.ThresholdCalibrator;
import org.triage.stream.cluster.*;
import org.triage.trainer.data.*;

/**
 * Measurement script, not product code: which per-film definition of "unexplained" separates the demo's
 * held-out class (Edema) from the other films, and what the clusterer makes of each; the numbers quoted in
 * inference-stream/README.md ("Clusters of the unexplained"). It rebuilds the demo's film order
 * (DemoFilms: 100 reference films, then 180 with 20% Edema), embeds the test and val splits with the
 * exported model, calibrates the known unseen labels on the reference films as `prototypes calibrate` does,
 * and prints AUROCs, flagged counts and simulated clusters.
 *
 * Usage, after a demo run has cached its model (cli built with `mvn -pl cli -am package`):
 *   CP="/tmp/u:inference-stream/target/classes:cli/target/cli-0.1.0-SNAPSHOT.jar:cli/target/lib/*"
 *   javac -cp "$CP" -d /tmp/u scripts/analysis/Unexplained.java
 *   java -cp "$CP" Unexplained cli/target/demo-cache /tmp/u/emb.bin [whole]
 * ("whole": per-film AUROCs on every test film outside the reference set instead of the 180.)
 */
public class Unexplained {
    static BatchEmbedder model;
    static String EM = "Edema";

    public static void main(String[] a) throws Exception {
        Path cache = Path.of(a[0]);
        GzslDataset ds = GzslDataset.open(cache.resolve("phantom-seed7"));
        model = new OnnxModelLoader().load(cache.resolve("model-small"));
        List<Sample> test = ds.split("test");
        Path embFile = Path.of(a[1]);
        Map<String, float[]> emb = loadOrEmbed(test, embFile);
        // demo order
        List<Sample>[] story = story(test, 300, 0.2, 0.6);
        Set<String> used = new HashSet<>();
        story[0].forEach(s -> used.add(s.imageId()));
        story[1].forEach(s -> used.add(s.imageId()));
        List<Sample> rest = test.stream().filter(s -> !used.contains(s.imageId())).toList();
        List<Sample> ref = spread(rest, 100);
        List<Sample> before = story[0];
        // prototypes
        Map<String, float[]> proj = new LinkedHashMap<>();
        for (String l : ds.allLabels()) if (!l.equals(EM)) proj.put(l, model.project(new float[][] {ds.classVector(l)})[0]);
        Map<String, Float> thr = new HashMap<>(model.info().thresholds());
        Map<String, float[]> seenP = new HashMap<>();
        for (String l : model.info().seenLabels()) seenP.put(l, proj.get(l));
        List<float[]> refEmb = ref.stream().map(s -> emb.get(s.imageId())).toList();
        for (String l : ds.unseenLabels()) {
            if (l.equals(EM)) continue;
            var r = ThresholdCalibrator.calibrate(proj.get(l), refEmb, seenP, model.info().thresholds(), model::distance, null);
            thr.put(l, (float) r.threshold());
        }
        System.out.println("thresholds " + thr);
        System.out.println("seen " + model.info().seenLabels());
        boolean whole = a.length > 2 && a[2].equals("whole");
        List<Sample> eval = whole ? rest.stream().filter(s -> !ref.contains(s)).toList() : before;
        List<Sample> evalAll = new ArrayList<>(ref); evalAll.addAll(before);
        if (whole) { eval = test.stream().filter(s -> !ref.contains(s)).toList(); }
        // Reference quantities from reference films
        double[] refNearest = ref.stream().mapToDouble(s -> nearest(emb.get(s.imageId()), proj)).sorted().toArray();
        double nearMed = refNearest[refNearest.length / 2];
        double[] refRatio = ref.stream().mapToDouble(s -> minRatio(emb.get(s.imageId()), proj, thr)).sorted().toArray();
        double ratioMed = refRatio[refRatio.length / 2];
        System.out.printf("ref median nearest %.4f, ref median minRatio %.4f, ref share no label fires %.3f%n", nearMed, ratioMed,
                Arrays.stream(refRatio).filter(x -> x > 1).count() / (double) refRatio.length);
        Predicate<Sample> pos = s -> s.labels().contains(EM);
        Predicate<Sample> sole = s -> s.labels().equals(Set.of(EM));
        // label firing stats per class in eval
        Map<String, Function<float[], Double>> scores = new LinkedHashMap<>();
        scores.put("novelty(nearest/med)", e -> nearest(e, proj) / nearMed);
        scores.put("minRatio d/t", e -> minRatio(e, proj, thr));
        scores.put("minRatio seen only", e -> minRatio(e, seenP, thr));
        List<float[]> refExplained = ref.stream().map(s -> emb.get(s.imageId())).filter(e -> minRatio(e, proj, thr) <= 1).toList();
        for (int k : new int[] {1, 3, 5}) {
            double med = median(refEmb.stream().mapToDouble(e -> knn(e, refEmb, k, true)).toArray());
            scores.put("knn" + k + "/med all-ref", e -> knn(e, refEmb, k, false) / med);
            double med2 = median(refExplained.stream().mapToDouble(e -> knn(e, refExplained, k, true)).toArray());
            scores.put("knn" + k + "/med explained-ref", e -> knn(e, refExplained, k, false) / med2);
        }
        // per-label typicality: the best label's own films (reference films whose best label it is) and their centroid
        Map<String, List<float[]>> byBest = new HashMap<>();
        for (float[] e : refEmb) byBest.computeIfAbsent(best(e, proj, thr), k -> new ArrayList<>()).add(e);
        Map<String, float[]> cent = new HashMap<>();
        Map<String, Double> spread = new HashMap<>();
        for (var en : byBest.entrySet()) {
            float[] c = mean(en.getValue());
            cent.put(en.getKey(), c);
            spread.put(en.getKey(), median(en.getValue().stream().mapToDouble(e -> model.distance(e, c)).toArray()));
        }
        System.out.println("films per best label in ref: " + byBest.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
        scores.put("typicality of best label", e -> { String l = best(e, proj, thr); return cent.containsKey(l) ? model.distance(e, cent.get(l)) / spread.get(l) : 99.0; });
        scores.put("dist to ref mean / med", e -> { float[] c = mean(refEmb); return (double) model.distance(e, c); });
        for (int k : new int[] {3, 5}) {
            scores.put("knn" + k + " same-best-label", e -> { String l = best(e, proj, thr); List<float[]> r = byBest.getOrDefault(l, List.of()); return r.size() < k + 1 ? 99.0 : knn(e, r, k, false) / median(r.stream().mapToDouble(x -> knn(x, r, k, true)).toArray()); });
        }
        Map<String, float[]> valEmb = loadOrEmbed(ds.split("val"), Path.of(embFile.toString() + ".val"));
        List<float[]> val = new ArrayList<>(valEmb.values());
        for (int k : new int[] {1, 3, 5, 10}) {
            double medV = median(val.stream().limit(200).mapToDouble(e -> knn(e, val, k, true)).toArray());
            scores.put("knn" + k + " to val films", e -> knn(e, val, k, false) / medV);
        }
        Set<String> knownUnseen = new HashSet<>(ds.unseenLabels()); knownUnseen.remove(EM);
        Map<String, float[]> unseenP = new HashMap<>(); for (String l : knownUnseen) unseenP.put(l, proj.get(l));
        double medV5 = median(val.stream().limit(200).mapToDouble(e -> knn(e, val, 5, true)).toArray());
        scores.put("knn5 val, 0 if unseen fires", e -> minRatio(e, unseenP, thr) <= 1 ? 0.0 : knn(e, val, 5, false) / medV5);
        Map<String, Sample> valById = new HashMap<>(); for (Sample x : ds.split("val")) valById.put(x.imageId(), x);
        Map<String, float[]> vc = new HashMap<>(); Map<String, Double> vs = new HashMap<>();
        for (String l : model.info().seenLabels()) {
            List<float[]> of = valEmb.entrySet().stream().filter(en -> valById.get(en.getKey()).labels().contains(l)).map(Map.Entry::getValue).toList();
            float[] c = mean(of); vc.put(l, c);
            vs.put(l, median(of.stream().mapToDouble(e -> model.distance(e, c)).toArray()));
        }
        scores.put("val typicality of best label", e -> { String l = best(e, proj, thr); return vc.containsKey(l) ? model.distance(e, vc.get(l)) / vs.get(l) : 0.0; });
        scores.put("min val typicality over seen", e -> { double b = 99; for (String l : vc.keySet()) b = Math.min(b, model.distance(e, vc.get(l)) / vs.get(l)); return b; });
        scores.put("min val-typ over firing", e -> { double b = 99; for (var l : proj.keySet()) { if (model.distance(e, proj.get(l)) > thr.get(l)) continue; b = Math.min(b, vc.containsKey(l) ? model.distance(e, vc.get(l)) / vs.get(l) : 0); } return b; });
        // group level: centroid of 10 films of one class (sole finding), distance to the nearest seen label's val centre / that label's val spread
        Random rg = new Random(1);
        for (String cls : ds.allLabels()) {
            List<float[]> of = test.stream().filter(x -> x.labels().equals(Set.of(cls))).map(x -> emb.get(x.imageId())).toList();
            if (of.size() < 10) continue;
            double[] g = new double[20]; double[] gp = new double[20]; String nearestLabel = "";
            for (int r = 0; r < 20; r++) {
                List<float[]> sh = new ArrayList<>(of); Collections.shuffle(sh, rg);
                float[] c = mean(sh.subList(0, 10));
                double b = 99; for (String l : vc.keySet()) { double v = model.distance(c, vc.get(l)) / vs.get(l); if (v < b) { b = v; nearestLabel = l; } }
                g[r] = b; gp[r] = minRatio(c, proj, thr);
            }
            System.out.printf("group of 10 %-14s n=%3d centroid: min val-typicality %.3f (nearest %s), minRatio to prototypes %.3f%n", cls, of.size(), median(g), nearestLabel, median(gp));
        }
        // label-evidence profiles: d_l / t_l over all active labels
        Function<float[], float[]> prof = e -> { float[] v = new float[proj.size()]; int i = 0; for (var l : proj.keySet()) v[i++] = model.distance(e, proj.get(l)) / thr.get(l); return v; };
        List<float[]> valP = val.stream().map(prof).toList();
        List<float[]> refP = refEmb.stream().map(prof).toList();
        java.util.function.BiFunction<float[], float[], Double> eu = (x, y) -> { double q = 0; for (int i = 0; i < x.length; i++) q += (x[i] - y[i]) * (x[i] - y[i]); return Math.sqrt(q); };
        for (int k : new int[] {1, 5, 10}) {
            double mv = median(valP.stream().limit(200).mapToDouble(x -> valP.stream().mapToDouble(y -> eu.apply(x, y)).sorted().skip(1).limit(k).average().orElse(0)).toArray());
            scores.put("profile knn" + k + " to val", e -> { float[] x = prof.apply(e); return valP.stream().mapToDouble(y -> eu.apply(x, y)).sorted().limit(k).average().orElse(0) / mv; });
            double mr = median(refP.stream().mapToDouble(x -> refP.stream().mapToDouble(y -> eu.apply(x, y)).sorted().skip(1).limit(k).average().orElse(0)).toArray());
            scores.put("profile knn" + k + " to ref", e -> { float[] x = prof.apply(e); return refP.stream().mapToDouble(y -> eu.apply(x, y)).sorted().limit(k).average().orElse(0) / mr; });
        }
        {
            double pur = 0; int cnt = 0;
            for (Sample x : eval) { if (!pos.test(x)) continue; float[] px = prof.apply(emb.get(x.imageId()));
                List<Sample> nn = eval.stream().filter(y -> y != x).sorted(Comparator.comparingDouble(y -> eu.apply(px, prof.apply(emb.get(y.imageId()))))).limit(5).toList();
                pur += nn.stream().filter(pos).count() / 5.0; cnt++; }
            System.out.printf("profile space: 5-NN share of Edema around Edema films %.3f%n", pur / cnt);
        }
        double medSpread = median(vs.values().stream().mapToDouble(x -> x).toArray());
        System.out.printf("median val spread %.3f%n", medSpread);
        Function<float[], Double> vtyp = e -> { double b = 99; for (String l : vc.keySet()) b = Math.min(b, model.distance(e, vc.get(l)) / vs.get(l)); return b; };
        for (double cut : new double[] {0.0, 0.8, 0.9, 1.0}) for (double rf : new double[] {0.5, 0.75, 1.0}) for (double z : new double[] {1.5, 2.0}) {
            List<Sample> flagged = eval.stream().filter(x -> vtyp.apply(emb.get(x.imageId())) >= cut).toList();
            NoveltyClusterer c = new NoveltyClusterer(new ClusterSettings("t", rf, 5, java.time.Duration.ofDays(7), 2000, true), 0);
            Map<String, NoveltyCluster> open = new LinkedHashMap<>();
            Map<String, Sample> byId = new HashMap<>();
            long t = 0;
            Map<String, Integer> raisedAt = new HashMap<>();
            for (Sample x : flagged) {
                byId.put(x.imageId(), x);
                var film = new NoveltyClusterer.NovelFilm(x.imageId(), "p", "m", "1", emb.get(x.imageId()), t++ * 1000, (float) medSpread);
                var out = c.assign(film, open.values(), model::distance, (NoveltyClusterer.CentreTest) cen -> false);
                out.expired().forEach(y -> open.remove(y.id()));
                NoveltyCluster k = out.cluster();
                open.put(k.id(), k);
                if (k.size() >= 5 && vtyp.apply(k.centroid()) >= z / Math.sqrt(k.size())) raisedAt.putIfAbsent(k.id(), k.size());
            }
            StringBuilder sb = new StringBuilder(); int known = 0, em = 0;
            for (NoveltyCluster k : open.values()) {
                if (k.size() < 5) continue;
                long p = k.members().stream().filter(m -> pos.test(byId.get(m))).count();
                boolean raise = vtyp.apply(k.centroid()) >= z / Math.sqrt(k.size());
                if (raise || raisedAt.containsKey(k.id())) { if (2 * p >= k.size()) em++; else known++;
                    sb.append(String.format(" [%d films, %d Edema, vtyp %.2f vs %.2f]", k.size(), p, vtyp.apply(k.centroid()), z / Math.sqrt(k.size()))); }
            }
            System.out.printf("cut %.1f radius %.2f z %.1f: %d flagged (%d Edema): raised Edema-clusters %d, known %d;%s%n", cut, rf, z, flagged.size(), flagged.stream().filter(pos).count(), em, known, sb);
        }
        // group level on the wave itself: every class's sole-finding films, centroid shift x sqrt(n)
        for (String cls : ds.allLabels()) {
            List<float[]> of = eval.stream().filter(x -> x.labels().equals(Set.of(cls))).map(x -> emb.get(x.imageId())).toList();
            if (of.size() < 3) continue;
            float[] c = mean(of);
            double b = 99; for (String l : vc.keySet()) b = Math.min(b, model.distance(c, vc.get(l)) / vs.get(l));
            System.out.printf("wave group %-14s n=%3d shift %.3f z %.2f%n", cls, of.size(), b, b * Math.sqrt(of.size()));
        }
        // how well the embedding groups the class: share of Edema among the 5 nearest films of an Edema film
        List<float[]> allE = eval.stream().map(x -> emb.get(x.imageId())).toList();
        double pur = 0; int cnt = 0;
        for (Sample x : eval) { if (!pos.test(x)) continue; float[] e = emb.get(x.imageId());
            List<Sample> nn = eval.stream().filter(y -> y != x).sorted(Comparator.comparingDouble(y -> model.distance(e, emb.get(y.imageId())))).limit(5).toList();
            pur += nn.stream().filter(pos).count() / 5.0; cnt++; }
        System.out.printf("5-NN share of Edema around Edema films %.3f (base rate %.3f)%n", pur / cnt, eval.stream().filter(pos).count() / (double) eval.size());
        for (var sc : scores.entrySet()) {
            double[] p = eval.stream().filter(pos).mapToDouble(s -> sc.getValue().apply(emb.get(s.imageId()))).toArray();
            double[] ps = eval.stream().filter(sole).mapToDouble(s -> sc.getValue().apply(emb.get(s.imageId()))).toArray();
            double[] n = eval.stream().filter(pos.negate()).mapToDouble(s -> sc.getValue().apply(emb.get(s.imageId()))).toArray();
            System.out.printf("%-28s AUROC pos/neg %.3f sole/neg %.3f | median pos %.3f sole %.3f neg %.3f | n pos %d sole %d neg %d%n",
                    sc.getKey(), auroc(p, n), auroc(ps, n), median(p), median(ps), median(n), p.length, ps.length, n.length);
        }
        // binary rules on the eval wave
        Map<String, Predicate<float[]>> rules = new LinkedHashMap<>();
        rules.put("novelty>=2", e -> nearest(e, proj) / nearMed >= 2);
        for (double t : new double[] {0.9, 1.0, 1.05, 1.1, 1.2, 1.3}) rules.put("no label fires, minRatio>" + t, e -> minRatio(e, proj, thr) > t);
        for (var r : rules.entrySet()) {
            List<Sample> flagged = eval.stream().filter(s -> r.getValue().test(emb.get(s.imageId()))).toList();
            long fp = flagged.stream().filter(pos).count();
            long fs = flagged.stream().filter(sole).count();
            System.out.printf("%-30s flagged %d: %d %s (%d of %d sole; %d of %d pos), %d others of %d%n", r.getKey(), flagged.size(), fp, EM,
                    fs, eval.stream().filter(sole).count(), fp, eval.stream().filter(pos).count(), flagged.size() - fp,
                    eval.stream().filter(pos.negate()).count());
            double margin = r.getKey().startsWith("no label") ? Double.parseDouble(r.getKey().substring(r.getKey().indexOf('>') + 1)) : 0;
            for (double rf : new double[] {0.5, 0.75, 1.0}) {
                cluster(flagged, emb, nearMed, rf, pos, proj, thr, margin);
            }
        }
        // which labels fire on Edema films
        Map<String, Integer> fires = new TreeMap<>();
        for (Sample s : eval) if (sole.test(s)) for (var e : proj.entrySet()) if (model.distance(emb.get(s.imageId()), e.getValue()) <= thr.get(e.getKey())) fires.merge(e.getKey(), 1, Integer::sum);
        System.out.println("labels firing on Edema-sole films: " + fires);
        model.close();
    }

    static void cluster(List<Sample> flagged, Map<String, float[]> emb, double ref, double rf, Predicate<Sample> pos,
                        Map<String, float[]> proj, Map<String, Float> thr, double margin) {
        NoveltyClusterer c = new NoveltyClusterer(new ClusterSettings("t", rf, 5, java.time.Duration.ofDays(7), 200, true), 0);
        Map<String, NoveltyCluster> open = new LinkedHashMap<>();
        Map<String, Sample> byId = new HashMap<>();
        long t = 0;
        Set<String> alerted = new HashSet<>();
        for (Sample s : flagged) {
            byId.put(s.imageId(), s);
            var film = new NoveltyClusterer.NovelFilm(s.imageId(), "p", "m", "1", emb.get(s.imageId()), t++ * 1000, (float) ref);
            var out = c.assign(film, open.values(), model::distance);
            out.expired().forEach(x -> open.remove(x.id()));
            open.put(out.cluster().id(), out.cluster());
        }
        StringBuilder sb = new StringBuilder();
        int knownClusters = 0;
        for (NoveltyCluster k : open.values()) {
            if (k.size() < 5) continue;
            long p = k.members().stream().filter(m -> pos.test(byId.get(m))).count();
            float cr = minRatioF(k.centroid(), proj, thr);
            boolean raise = cr > margin;
            sb.append(String.format(" [size %d, %d %s, centroid minRatio %.2f%s]", k.size(), p, EM, cr, raise ? " RAISE" : ""));
            if (raise && p * 2 < k.size()) knownClusters++;
        }
        System.out.printf("    radius %.2f: clusters>=5:%s ; raised mostly-known clusters %d%n", rf, sb, knownClusters);
    }

    static float minRatioF(float[] e, Map<String, float[]> proj, Map<String, Float> thr) { return (float) minRatio(e, proj, thr); }

    static String best(float[] e, Map<String, float[]> proj, Map<String, Float> thr) {
        String b = null; double bv = Double.POSITIVE_INFINITY;
        for (var p : proj.entrySet()) { double v = model.distance(e, p.getValue()) / thr.get(p.getKey()); if (v < bv) { bv = v; b = p.getKey(); } }
        return b;
    }

    static float[] mean(List<float[]> v) {
        float[] m = new float[v.get(0).length];
        for (float[] x : v) for (int i = 0; i < m.length; i++) m[i] += x[i] / v.size();
        return m;
    }

    static double nearest(float[] e, Map<String, float[]> proj) {
        double b = Double.POSITIVE_INFINITY;
        for (float[] p : proj.values()) b = Math.min(b, model.distance(e, p));
        return b;
    }

    static double minRatio(float[] e, Map<String, float[]> proj, Map<String, Float> thr) {
        double b = Double.POSITIVE_INFINITY;
        for (var p : proj.entrySet()) {
            Float t = thr.get(p.getKey());
            if (t == null) continue;
            b = Math.min(b, model.distance(e, p.getValue()) / t);
        }
        return b;
    }

    static double knn(float[] e, List<float[]> refs, int k, boolean self) {
        double[] d = refs.stream().mapToDouble(r -> model.distance(e, r)).sorted().toArray();
        int off = self ? 1 : 0;
        double s = 0;
        for (int i = 0; i < k; i++) s += d[Math.min(d.length - 1, i + off)];
        return s / k;
    }

    static double median(double[] v) {
        double[] c = v.clone(); Arrays.sort(c);
        return c.length == 0 ? Double.NaN : c[c.length / 2];
    }

    static double auroc(double[] pos, double[] neg) {
        double s = 0;
        for (double p : pos) for (double n : neg) s += p > n ? 1 : p == n ? 0.5 : 0;
        return s / ((double) pos.length * neg.length);
    }

    static Map<String, float[]> loadOrEmbed(List<Sample> test, Path f) throws Exception {
        Map<String, float[]> out = new HashMap<>();
        if (Files.exists(f)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String id = in.readUTF();
                    float[] v = new float[in.readInt()];
                    for (int j = 0; j < v.length; j++) v[j] = in.readFloat();
                    out.put(id, v);
                }
            }
            return out;
        }
        for (int i = 0; i < test.size(); i += 16) {
            List<Sample> chunk = test.subList(i, Math.min(test.size(), i + 16));
            float[][] b = new float[chunk.size()][];
            for (int j = 0; j < b.length; j++) b[j] = model.preprocess(Files.readAllBytes(chunk.get(j).imagePath()));
            float[][] e = model.embed(b);
            for (int j = 0; j < b.length; j++) out.put(chunk.get(j).imageId(), e[j]);
        }
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f)))) {
            o.writeInt(out.size());
            for (var e : out.entrySet()) {
                o.writeUTF(e.getKey());
                o.writeInt(e.getValue().length);
                for (float x : e.getValue()) o.writeFloat(x);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Sample>[] story(List<Sample> test, int images, double share, double beforeFraction) {
        List<Sample> positives = new ArrayList<>(), negatives = new ArrayList<>();
        for (Sample s : test) (s.labels().contains(EM) ? positives : negatives).add(s);
        int nPos = Math.min(positives.size(), (int) Math.round(images * share));
        int nNeg = Math.min(negatives.size(), images - nPos);
        List<Sample> pos = spread(positives, nPos), neg = spread(negatives, nNeg);
        int total = nPos + nNeg;
        List<Sample> all = new ArrayList<>();
        int p = 0, n = 0;
        for (int i = 0; i < total; i++) {
            boolean positive = (long) (i + 1) * nPos / total > (long) i * nPos / total;
            all.add(positive ? pos.get(p++) : neg.get(n++));
        }
        int cut = (int) Math.round(total * beforeFraction);
        return new List[] {all.subList(0, cut), all.subList(cut, total)};
    }

    static List<Sample> spread(List<Sample> from, int k) {
        List<Sample> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(from.get((int) ((long) i * from.size() / k)));
        return out;
    }
}
