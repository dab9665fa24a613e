import java.nio.file.*;
import java.util.*;
import org.triage.stream.model.*;
import org.triage.stream.cluster.*;
import org.triage.trainer.data.*;
import org.triage.trainer.phantom.*;

/**
 * Measurement script, not product code: can a never-described pattern (an attribute combination at least 3 attributes
 * from every seen class, rendered by the phantom's painter) be NOVELTY on the demo's model and form one cluster?
 * Prototypes: every label but the emerging one (as in the demo's phase 1); novelty = nearest prototype distance / the
 * median nearest distance of the reference test films (the stream's novelty reference); clusters: the stream's clusterer
 * with its default settings, fed the NOVELTY films of the reference films, the pattern's films spread among them; the
 * geometry (film cloud, the pattern's spread and offset), a group-level shift as the demo's GroupShift, and frames that are
 * not chests. The numbers quoted in inference-stream/README.md ("A never-described pattern is not NOVELTY either").
 *
 * Usage (cli built): CP="/tmp/np:cli/target/cli-0.1.0-SNAPSHOT.jar:cli/target/lib/*"
 *   javac -cp "$CP" -d /tmp/np scripts/analysis/NeverDescribed.java
 *   java -cp "$CP" NeverDescribed cli/target/demo-cache lucent,linear,large,ill-defined,central,bilateral [n]
 */
public class NeverDescribed {
    public static void main(String[] a) throws Exception {
        Path cache = Path.of(a[0]);
        List<String> attrs = List.of(a[1].split(","));
        int n = a.length > 2 ? Integer.parseInt(a[2]) : 60;
        PhantomClass pattern = new PhantomClass("Unnamed", true, attrs, 1.0);
        for (PhantomClass c : PhantomCatalog.CLASSES) {
            int d = 0;
            for (int g = 0; g < attrs.size(); g++) d += attrs.get(g).equals(c.attributes().get(g)) ? 0 : 1;
            System.out.print(c.name() + "=" + d + (c.unseen() ? "u " : " "));
        }
        System.out.println();
        GzslDataset ds = GzslDataset.open(cache.resolve("phantom-seed7"));
        String em = ds.unseenLabels().get(ds.unseenLabels().size() - 1);
        try (BatchEmbedder model = new OnnxModelLoader().load(cache.resolve("model-small"))) {
            Map<String, float[]> proj = new LinkedHashMap<>();
            for (String l : ds.allLabels()) if (!l.equals(em)) proj.put(l, model.project(new float[][] {ds.classVector(l)})[0]);
            List<Sample> test = ds.split("test");
            List<Sample> ref = new ArrayList<>();
            for (int i = 0; i < 300; i++) ref.add(test.get(i * test.size() / 300));
            float[][] refE = embed(model, ref.stream().map(s -> read(s.imagePath())).toList());
            Path dir = Files.createDirectories(Path.of("/tmp/np/films"));
            List<byte[]> pngs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] px = PhantomGenerator.renderFilm(List.of(pattern), 7, i, 64);
                Path f = dir.resolve("nd" + i + ".png");
                PhantomGenerator.writeFilm(f, px, 64);
                pngs.add(Files.readAllBytes(f));
            }
            float[][] patE = embed(model, pngs);
            double[] near = Arrays.stream(refE).mapToDouble(e -> nearest(model, e, proj)).sorted().toArray();
            double ref0 = near[near.length / 2];
            double[] refR = Arrays.stream(refE).mapToDouble(e -> nearest(model, e, proj) / ref0).sorted().toArray();
            double[] patR = Arrays.stream(patE).mapToDouble(e -> nearest(model, e, proj) / ref0).sorted().toArray();
            long emNovel = 0, emN = 0, othNovel = 0;
            for (int i = 0; i < ref.size(); i++) {
                boolean isEm = ref.get(i).labels().contains(em);
                double r = nearest(model, refE[i], proj) / ref0;
                if (isEm) { emN++; if (r >= 2) emNovel++; } else if (r >= 2) othNovel++;
            }
            System.out.printf("novelty ref %.4f; reference films: median %.3f p95 %.3f max %.3f, NOVELTY %d of %d (%s %d of %d)%n", ref0,
                    refR[refR.length / 2], refR[(int) (refR.length * 0.95)], refR[refR.length - 1], othNovel + emNovel, ref.size(), em, emNovel, emN);
            System.out.printf("pattern films: min %.3f p10 %.3f median %.3f max %.3f, NOVELTY %d of %d%n", patR[0], patR[patR.length / 10],
                    patR[patR.length / 2], patR[patR.length - 1], Arrays.stream(patR).filter(x -> x >= 2).count(), n);
            // nearest label of the pattern's films
            Map<String, Integer> nl = new TreeMap<>();
            for (float[] e : patE) nl.merge(nearestLabel(model, e, proj), 1, Integer::sum);
            System.out.println("pattern films' nearest label: " + nl);
            float[] c = new float[patE[0].length];
            for (float[] e : patE) for (int j = 0; j < c.length; j++) c[j] += e[j] / patE.length;
            double[] toC = Arrays.stream(patE).mapToDouble(e -> model.distance(e, c) / ref0).sorted().toArray();
            System.out.printf("pattern films to their centroid / ref: median %.3f p90 %.3f max %.3f; centroid novelty %.3f%n", toC[toC.length / 2],
                    toC[(int) (toC.length * 0.9)], toC[toC.length - 1], nearest(model, c, proj) / ref0);
            float[] rc = new float[refE[0].length];
            for (float[] e : refE) for (int j = 0; j < rc.length; j++) rc[j] += e[j] / refE.length;
            double[] refToC = Arrays.stream(refE).mapToDouble(e -> model.distance(e, rc) / ref0).sorted().toArray();
            System.out.printf("reference films to their centroid / ref: median %.3f p90 %.3f; pattern centroid to reference centroid %.3f;"
                    + " pattern films' nearest reference film / ref: median %.3f%n", refToC[refToC.length / 2], refToC[(int) (refToC.length * 0.9)],
                    model.distance(c, rc) / ref0, median(Arrays.stream(patE).mapToDouble(e -> Arrays.stream(refE).mapToDouble(r -> model.distance(e, r)).min().getAsDouble() / ref0).toArray()));
            double[] refNN = new double[refE.length];
            for (int i = 0; i < refE.length; i++) { double b = 1e9; for (int j = 0; j < refE.length; j++) if (j != i) b = Math.min(b, model.distance(refE[i], refE[j])); refNN[i] = b / ref0; }
            System.out.printf("reference films' nearest other reference film / ref: median %.3f%n", median(refNN));
            // group level (as the demo's GroupShift): centroid of 20 films against the seen labels' validation centres, in their spreads
            List<Sample> val = ds.split("val");
            float[][] valE = embed(model, val.stream().map(x -> read(x.imagePath())).toList());
            List<float[]> centres = new ArrayList<>();
            List<Double> spreads = new ArrayList<>();
            for (String l : ds.seenLabels()) {
                List<float[]> of = new ArrayList<>();
                for (int i = 0; i < val.size(); i++) if (val.get(i).labels().contains(l)) of.add(valE[i]);
                float[] vc = mean(of);
                centres.add(vc);
                spreads.add(median(of.stream().mapToDouble(e -> model.distance(e, vc)).toArray()));
            }
            int g = Math.min(20, n);
            System.out.printf("group of %d: pattern z %.2f;", g, groupZ(model, Arrays.asList(patE).subList(0, g), centres, spreads));
            for (String l : ds.allLabels()) {
                List<Sample> sole = test.stream().filter(x -> x.labels().equals(Set.of(l))).limit(g).toList();
                if (sole.size() < g) continue;
                System.out.printf(" %s %.2f", l, groupZ(model, Arrays.asList(embed(model, sole.stream().map(x -> read(x.imagePath())).toList())), centres, spreads));
            }
            System.out.println();
            // frames that are not chests: what it takes to reach the NOVELTY ratio on this model
            byte[] noise = new byte[64 * 64];
            new Random(1).nextBytes(noise);
            byte[] white = new byte[64 * 64];
            Arrays.fill(white, (byte) 255);
            Map<String, byte[]> frames = new LinkedHashMap<>();
            frames.put("noise", noise);
            frames.put("black", new byte[64 * 64]);
            frames.put("white", white);
            PhantomClass[] far = {pattern, new PhantomClass("V", true, List.of("opaque", "reticular", "large", "sharp", "peripheral", "right"), 1),
                    new PhantomClass("W", true, List.of("lucent", "reticular", "large", "sharp", "central", "bilateral"), 1)};
            for (int k = 0; k < 3; k++) frames.put("three far patterns #" + k, PhantomGenerator.renderFilm(List.of(far), 7, 1000 + k, 64));
            for (int k = 0; k < 3; k++) frames.put("pattern x4 #" + k, PhantomGenerator.renderFilm(List.of(pattern, pattern, pattern, pattern), 7, 2000 + k, 64));
            StringBuilder sb = new StringBuilder("other frames' novelty:");
            for (var f : frames.entrySet()) {
                Path x = dir.resolve("frame.png");
                PhantomGenerator.writeFilm(x, f.getValue(), 64);
                sb.append(String.format(" %s %.3f;", f.getKey(), nearest(model, embed(model, List.of(Files.readAllBytes(x)))[0], proj) / ref0));
            }
            System.out.println(sb);
            // the stream's clusterer on NOVELTY films: reference films with pattern films spread among them
            NoveltyClusterer cl = new NoveltyClusterer(ClusterSettings.defaults("x"), 2.0);
            Map<String, NoveltyCluster> open = new LinkedHashMap<>();
            Map<String, NoveltyCluster> raised = new LinkedHashMap<>();
            long t = 0;
            int p = 0;
            int total = ref.size() + n;
            for (int i = 0; i < total; i++) {
                boolean isPat = (long) (i + 1) * n / total > (long) i * n / total;
                float[] e;
                String id;
                if (isPat) { e = patE[p]; id = "P" + p++; } else { int k = i - p; e = refE[k]; id = "R" + k; }
                if (nearest(model, e, proj) / ref0 < 2) continue;
                var out = cl.assign(new NoveltyClusterer.NovelFilm(id, "pp", "m", "1", e, t++ * 1000, (float) ref0), open.values(), model::distance,
                        (NoveltyClusterer.NearestPrototype) x -> (float) nearest(model, x, proj));
                out.expired().forEach(x -> { open.remove(x.id()); raised.remove(x.id()); });
                open.put(out.cluster().id(), out.cluster());
                if (out.raise()) raised.put(out.cluster().id(), out.cluster());
            }
            for (NoveltyCluster k : raised.values()) {
                long pm = k.members().stream().filter(m -> m.startsWith("P")).count();
                System.out.printf("cluster %s size %d: %d pattern films (purity %.3f, recall %.3f)%n", k.id(), k.size(), pm, pm / (double) k.size(),
                        pm / (double) n);
            }
            System.out.println(raised.size() + " raised clusters, " + open.size() + " open");
        }
    }

    static double median(double[] v) { double[] c = v.clone(); Arrays.sort(c); return c[c.length / 2]; }

    static float[] mean(List<float[]> v) { float[] m = new float[v.get(0).length]; for (float[] x : v) for (int i = 0; i < m.length; i++) m[i] += x[i] / v.size(); return m; }

    static double groupZ(BatchEmbedder model, List<float[]> of, List<float[]> centres, List<Double> spreads) {
        float[] c = mean(of);
        double shift = Double.POSITIVE_INFINITY;
        for (int i = 0; i < centres.size(); i++) shift = Math.min(shift, model.distance(c, centres.get(i)) / spreads.get(i));
        return shift * Math.sqrt(of.size());
    }

    static byte[] read(Path p) { try { return Files.readAllBytes(p); } catch (Exception e) { throw new RuntimeException(e); } }

    static float[][] embed(BatchEmbedder model, List<byte[]> pngs) throws Exception {
        float[][] out = new float[pngs.size()][];
        for (int i = 0; i < pngs.size(); i += 16) {
            int m = Math.min(pngs.size(), i + 16) - i;
            float[][] b = new float[m][];
            for (int j = 0; j < m; j++) b[j] = model.preprocess(pngs.get(i + j));
            float[][] e = model.embed(b);
            System.arraycopy(e, 0, out, i, m);
        }
        return out;
    }

    static double nearest(BatchEmbedder model, float[] e, Map<String, float[]> proj) {
        double b = Double.POSITIVE_INFINITY;
        for (float[] p : proj.values()) b = Math.min(b, model.distance(e, p));
        return b;
    }

    static String nearestLabel(BatchEmbedder model, float[] e, Map<String, float[]> proj) {
        String s = null; double b = Double.POSITIVE_INFINITY;
        for (var p : proj.entrySet()) { double d = model.distance(e, p.getValue()); if (d < b) { b = d; s = p.getKey(); } }
        return s;
    }
}
