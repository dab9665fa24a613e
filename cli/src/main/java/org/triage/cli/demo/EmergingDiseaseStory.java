package org.triage.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.platform.LocalStack;
import org.triage.stream.InferenceStream;
import org.triage.stream.cli.PrototypesCommand;
import org.triage.stream.cluster.ClusterBasis;
import org.triage.stream.cluster.ClusterSettings;
import org.triage.stream.cluster.Explanation;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import picocli.CommandLine;

/**
 * The product's reason to exist, told on the demo's own stack: a class the prototypes do not know
 * yet is in the films; its films gather into a novelty cluster; an epidemiologist adds it as a new
 * disease with {@code triage prototypes add} (calibrated on the stored embeddings); the stream's
 * rescan finds its earlier films (RETROSPECTIVE_MATCH) and its later films alert live
 * (UNSEEN_CLASS). Every step is measured against the phantom's truth, the rescan also against
 * random vectors of the same norm.
 */
final class EmergingDiseaseStory {
    private static final int CONTROL_DRAWS = 20;
    private static final long CONTROL_SEED = 20261203L;
    /**
     * Films no active label claims at its operating point (--cluster-basis UNEXPLAINED, margin 1), whatever basis the
     * stream clusters on: how the class's films and the others compare on it is why that basis is not the default.
     */
    private static final Explanation NO_LABEL_FIRES = new Explanation(ClusterBasis.UNEXPLAINED, ClusterSettings.DEFAULT_EXPLAINED_MARGIN,
            org.triage.stream.topology.StreamSettings.defaults().noveltyThreshold());

    /** What the story measured ({@link #json} is the summary's emergingDisease) and how long the films took to score. */
    record Outcome(Map<String, Object> json, double streamingSeconds) {
    }

    private final String emerging;
    private final GzslDataset dataset;
    private final Path modelDir;
    private final LocalStack stack;
    private final InferenceStream stream;
    private final ScpSender scp;
    private final DemoCollector collector;
    private final Map<String, Sample> bySop;
    private final Path workDir;
    private final Duration timeout;
    private final Narrator say;

    EmergingDiseaseStory(String emerging, GzslDataset dataset, Path modelDir, LocalStack stack, InferenceStream stream, ScpSender scp,
                         DemoCollector collector, Map<String, Sample> bySop, Path workDir, Duration timeout, Narrator say) {
        this.emerging = emerging;
        this.dataset = dataset;
        this.modelDir = modelDir;
        this.stack = stack;
        this.stream = stream;
        this.scp = scp;
        this.collector = collector;
        this.bySop = bySop;
        this.workDir = workDir;
        this.timeout = timeout;
        this.say = say;
    }

    /** @param knownUnseen the unseen labels the site already has, calibrated here on the reference films */
    Outcome run(DemoFilms films, List<String> knownUnseen) throws Exception {
        Predicate<String> shows = sop -> bySop.containsKey(sop) && bySop.get(sop).labels().contains(emerging);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("label", emerging);

        // Phase 0: routine films are stored; the known unseen labels are calibrated on them, as at any site.
        say.step("routine films: the stored history the site's unseen labels are calibrated on");
        double seconds = sendAndAwait(films.reference());
        for (String label : knownUnseen) {
            String said = cli("calibrate", "--id", label, "--model-dir", modelDir.toString(), "--by", "demo-epidemiologist");
            say.result(condensed(said));
        }
        // Calibrating makes a new prototype version, which the stream rescans; let those finish before the story's own.
        for (String label : knownUnseen) {
            awaitRescanOf(label);
        }

        // Phase 1: the class is in the films but no prototype names it.
        say.step(String.format(Locale.ROOT, "films with an unknown disease: %d of the next %d show %s, which no prototype knows",
                count(films.before(), emerging), films.before().size(), emerging));
        Set<String> reference = Set.copyOf(bySop.keySet());
        seconds += sendAndAwait(films.before());
        Set<String> before = Set.copyOf(bySop.keySet());
        Set<String> wave1 = before.stream().filter(s -> !reference.contains(s)).collect(Collectors.toSet());
        collector.awaitAlertsQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30));
        json.put("before", wave(wave1, shows));
        json.put("cluster", clusterReport(wave1, shows));

        // Phase 2: the epidemiologist adds the class; the stream rescans the stored embeddings.
        if (!collector.awaitEmbeddings(before.size(), Duration.ofSeconds(60))) {
            say.result("only " + collector.embeddings.size() + " of " + before.size() + " stored embeddings read back in time");
        }
        float[] classVector = dataset.classVector(emerging);
        addDisease(classVector);
        awaitRescanOf(emerging);
        List<String> retro = sopsOf(AlertType.RETROSPECTIVE_MATCH, emerging);
        Retrieval retroScore = Retrieval.of(retro, before, shows);
        Map<String, Object> retrospective = retroScore.json();
        List<String> scanned = before.stream().filter(collector.embeddings::containsKey).toList();
        try (InProcessCalibrator model = new InProcessCalibrator(modelDir, dataset)) {
            VectorRetrieval retrieval = new VectorRetrieval(model, scanned, scanned.stream().map(collector.embeddings::get).toList(), shows);
            VectorRetrieval.Outcome expected = retrieval.score(classVector);
            retrospective.put("auroc", DemoNumbers.round(expected.auroc()));
            retrospective.put("threshold", DemoNumbers.round(expected.threshold()));
            // The stream's rescan and this process read the same embeddings and calibrate the same way: they must agree.
            retrospective.put("agreesWithInProcessScan", expected.retrieval().truePositives() == retroScore.truePositives()
                    && expected.retrieval().flagged() == retroScore.flagged());
            // The class as a group, against the known classes' groups in the same films (why no single film of it is NOVELTY).
            GroupShift.Result groups = GroupShift.measure(model, dataset, emerging, wave1, bySop, collector.embeddings);
            json.put("groupShift", groups.json());
            say.result("as a group: %s films' centroid at z %s from the nearest seen label's centre (known classes' at most %s);"
                    + " stored embeddings lie %s label spreads from the same films embedded from their files",
                    emerging, fmt(groups.emergingZ()), fmt(groups.knownMaxZ()), fmt(groups.storedVsFile()));
            VectorRetrieval.Control control = retrieval.control(classVector, CONTROL_DRAWS, CONTROL_SEED);
            retrospective.put("randomVectorControl", control.json());
            say.result("rescan of %d stored films: %d flagged RETROSPECTIVE_MATCH, precision %s, recall %s, AUROC %s", scanned.size(),
                    retroScore.flagged(), fmt(retroScore.precision()), fmt(retroScore.recall()), fmt(expected.auroc()));
            say.result("control, %d random vectors of the same norm: precision %s, recall %s, AUROC %s", control.draws(),
                    fmt(control.precision()), fmt(control.recall()), fmt(control.auroc()));
        }
        json.put("retrospective", retrospective);

        // Phase 3: later films of the class alert live, on the threshold recorded at add time.
        say.step(String.format(Locale.ROOT, "later films: %d of the next %d show %s", count(films.after(), emerging), films.after().size(),
                emerging));
        seconds += sendAndAwait(films.after());
        collector.awaitAlertsQuiet(Duration.ofSeconds(2), Duration.ofSeconds(30));
        Set<String> after = bySop.keySet().stream().filter(s -> !before.contains(s)).collect(Collectors.toSet());
        Set<String> liveSops = collector.alertsOf(AlertType.UNSEEN_CLASS).stream().filter(a -> emerging.equals(a.getLabelId()))
                .map(Alert::getSopInstanceUid).filter(after::contains).collect(Collectors.toSet());
        Retrieval live = Retrieval.of(liveSops, after, shows);
        json.put("live", live.json());
        say.result("live: %d flagged UNSEEN_CLASS %s, precision %s, recall %s; alert facts seen twice: %d", live.flagged(), emerging,
                fmt(live.precision()), fmt(live.recall()), collector.repeatedFacts());
        json.put("repeatedAlertFacts", collector.repeatedFacts());
        return new Outcome(json, seconds);
    }

    private Map<String, Object> wave(Set<String> sops, Predicate<String> shows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("films", sops.size());
        m.put("positives", (int) sops.stream().filter(shows).count());
        Set<String> novel = collector.alertsOf(AlertType.NOVELTY).stream().map(Alert::getSopInstanceUid).collect(Collectors.toSet());
        m.put("positivesFlaggedNovel", (int) sops.stream().filter(shows).filter(novel::contains).count());
        m.put("otherFilmsFlaggedNovel", (int) sops.stream().filter(shows.negate()).filter(novel::contains).count());
        m.put("positivesNoLabelFires", (int) sops.stream().filter(shows).filter(this::noLabelFires).count());
        m.put("otherFilmsNoLabelFires", (int) sops.stream().filter(shows.negate()).filter(this::noLabelFires).count());
        // Novelty = nearest prototype distance / the typical one: how far the class's films sit from every known label.
        m.put("noveltyMedianPositives", DemoNumbers.round(median(sops.stream().filter(shows).toList())));
        m.put("noveltyMedianOthers", DemoNumbers.round(median(sops.stream().filter(shows.negate()).toList())));
        m.put("noveltyMedianSoleFinding", DemoNumbers.round(median(sops.stream()
                .filter(s -> bySop.get(s).labels().equals(Set.of(emerging))).toList())));
        return m;
    }

    /** The stream's UNEXPLAINED test, applied to the film's finding: its distances, thresholds and novelty reference. */
    private boolean noLabelFires(String sop) {
        org.triage.events.Finding f = collector.findings.get(sop);
        if (f == null || !(f.getNoveltyScore() > 0) || f.getLabels().isEmpty()) {
            return false;
        }
        Map<String, Float> distances = new java.util.HashMap<>();
        Map<String, Float> thresholds = new java.util.HashMap<>();
        for (org.triage.events.LabelScore ls : f.getLabels()) {
            distances.put(ls.getLabelId(), ls.getDistance());
            if (ls.getThreshold() != null) {
                thresholds.put(ls.getLabelId(), ls.getThreshold());
            }
        }
        float ref = f.getLabels().get(0).getDistance() / f.getNoveltyScore(); // novelty = nearest / reference
        return NO_LABEL_FIRES.unexplained(distances, thresholds, ref);
    }

    private double median(List<String> sops) {
        double[] v = sops.stream().map(collector.findings::get).filter(java.util.Objects::nonNull).mapToDouble(f -> f.getNoveltyScore())
                .sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    /** The cluster holding most of the class's films: its purity (share of members showing the class) and recall. */
    private Map<String, Object> clusterReport(Set<String> before, Predicate<String> shows) {
        List<Alert> clusters = collector.alertsOf(AlertType.NOVELTY_CLUSTER);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clusters", clusters.size());
        // A cluster most of whose members are films of known classes is a false candidate disease.
        long ofKnown = clusters.stream().filter(a -> 2 * members(a).stream().filter(shows).count() < members(a).size()).count();
        m.put("knownClassClusters", (int) ofKnown);
        Optional<Alert> best = clusters.stream().max(Comparator.comparingLong(a -> members(a).stream().filter(shows).count()));
        if (best.isEmpty()) {
            say.result("no novelty cluster: %s", explainNoCluster(before, shows));
            return m;
        }
        List<String> members = members(best.get());
        Retrieval r = Retrieval.of(members, before, shows);
        m.put("clusterId", best.get().getCluster().getClusterId());
        m.put("size", members.size());
        m.put("purity", DemoNumbers.round(r.precision()));
        m.put("recall", DemoNumbers.round(r.recall()));
        say.result("%d NOVELTY_CLUSTER alert(s); cluster %s has %d films, %s of them %s (recall %s of its films); %d cluster(s) mostly"
                        + " of known-class films", clusters.size(), best.get().getCluster().getClusterId(), members.size(), fmt(r.precision()),
                emerging, fmt(r.recall()), ofKnown);
        return m;
    }

    private static List<String> members(Alert clusterAlert) {
        return clusterAlert.getCluster().getMembers().stream().map(CharSequence::toString).toList();
    }

    /** `triage prototypes add` as the epidemiologist would type it, in this process. */
    private void addDisease(float[] classVector) throws Exception {
        Path vectorFile = workDir.resolve(emerging + ".vector.json");
        List<Float> v = new ArrayList<>();
        for (float f : classVector) v.add(f);
        new ObjectMapper().writeValue(vectorFile.toFile(), v);
        say.step("the epidemiologist adds it: triage prototypes add --id " + emerging + " --vector-file " + vectorFile.getFileName()
                + " --severity HIGH");
        String said = cli("add", "--id", emerging, "--name", emerging.replace('_', ' '), "--description", "emerging finding added by the demo's epidemiologist",
                "--vector-file", vectorFile.toString(), "--encoder", dataset.classVectorEncoder(), "--model", modelDir.toString(),
                "--severity", "HIGH", "--author", "demo-epidemiologist");
        say.result(condensed(said));
    }

    /** `triage prototypes ARGS` against the demo's stack, in this process; returns what it printed. */
    private String cli(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl()));
        return DemoLog.capturingStdout(() -> new CommandLine(new PrototypesCommand()).execute(argv.toArray(new String[0])),
                "triage prototypes " + args[0]);
    }

    /** The command's first line without the seen labels' rates (they are in the log file). */
    private static String condensed(String said) {
        String first = said.lines().findFirst().orElse(said);
        int cut = first.indexOf(" (the seen labels' median rate");
        first = cut > 0 ? first.substring(0, cut) : first;
        int fits = first.indexOf(", fits ");
        int close = fits < 0 ? -1 : first.indexOf(')', fits);
        return fits > 0 && close > 0 ? first.substring(0, fits) + first.substring(close) : first;
    }

    /** Why no cluster: how far the class's films sat from the known labels, and how often no label fired on them, against the others. */
    private String explainNoCluster(Set<String> wave, Predicate<String> shows) {
        long positives = wave.stream().filter(shows).count();
        long others = wave.size() - positives;
        return String.format(Locale.ROOT, "%s films sat at novelty %s (median; other films %s; NOVELTY starts at %.1f), and no label"
                        + " fired on %d of %d of them against %d of %d other films: in this model's space a known label claims them",
                emerging, fmt(median(wave.stream().filter(shows).toList())), fmt(median(wave.stream().filter(shows.negate()).toList())),
                NO_LABEL_FIRES.noveltyThreshold(), wave.stream().filter(shows).filter(this::noLabelFires).count(), positives,
                wave.stream().filter(shows.negate()).filter(this::noLabelFires).count(), others);
    }

    /**
     * Until the stream's rescan of {@code label} has committed and the collector has read every match it
     * published. Counting completed rescans instead would let another label's late rescan stand in for
     * this one, and waiting for the alerts to go quiet would count before a slow machine delivers them.
     */
    private void awaitRescanOf(String label) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Long published;
        while ((published = stream.meters().rescanMatches().get(label)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the retrospective rescan of " + label + " did not complete within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
        while (sopsOf(AlertType.RETROSPECTIVE_MATCH, label).size() < published) {
            if (System.nanoTime() > deadline) {
                say.result("only %d of the %d RETROSPECTIVE_MATCH alerts of %s read back in time", sopsOf(AlertType.RETROSPECTIVE_MATCH,
                        label).size(), published, label);
                return;
            }
            Thread.sleep(100);
        }
    }

    /** Sends films through the SCP (a second thread, like a modality) while a bar follows their findings. */
    private double sendAndAwait(List<Sample> films) throws Exception {
        long t = System.nanoTime();
        int already = collector.findings.size();
        int expected = bySop.size() + films.size();
        java.util.concurrent.CompletableFuture<Void> sending = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                scp.send(films, bySop);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        org.triage.schemas.cli.ConsoleProgress bar = say.progress("scored", films.size(), "films");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (collector.findings.size() < expected && System.nanoTime() < deadline) {
            if (sending.isCompletedExceptionally()) {
                sending.join();
            }
            bar.update(collector.findings.size() - already);
            Thread.sleep(200);
        }
        sending.join();
        bar.update(Math.min(films.size(), collector.findings.size() - already));
        double seconds = (System.nanoTime() - t) / 1e9;
        if (collector.findings.size() < expected) {
            say.result("timed out: %d of %d findings", collector.findings.size(), expected);
        } else {
            say.result("%d films through the DICOM SCP, %d findings in %.1f s", films.size(), films.size(), seconds);
        }
        return seconds;
    }

    private List<String> sopsOf(AlertType type, String label) {
        return collector.alertsOf(type).stream().filter(a -> label.equals(a.getLabelId().toString())).map(Alert::getSopInstanceUid)
                .map(CharSequence::toString).distinct().toList();
    }

    private static long count(List<Sample> films, String label) {
        return films.stream().filter(s -> s.labels().contains(label)).count();
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
    }
}
