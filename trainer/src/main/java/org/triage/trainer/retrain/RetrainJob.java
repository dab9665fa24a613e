package org.triage.trainer.retrain;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseDecision;
import org.triage.events.ReleaseStatus;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.schemas.registry.RegistryClientConfig;
import org.triage.schemas.registry.SchemaRegistryClient;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.trainer.data.DirectoryDataset;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.export.DjlBlockExporter;
import org.triage.trainer.export.ModelExporter;
import org.triage.trainer.export.ModelStore;
import org.triage.trainer.export.ReleasePublisher;
import org.triage.trainer.lifecycle.ArtifactCheck;
import org.triage.trainer.lifecycle.ChampionChallengerRule;
import org.triage.trainer.lifecycle.ModelLifecycle;
import org.triage.trainer.lifecycle.ReleaseLog;
import org.triage.trainer.lifecycle.Transition;
import org.triage.trainer.model.TrainedModel;
import org.triage.trainer.train.Evaluator;
import org.triage.trainer.train.ExportedModelEvaluator;
import org.triage.trainer.train.GzslTrainer;

/**
 * One retraining: snapshot of the log, checks, training, export, evaluation of the new model and
 * of the one in service on the same held-out test films, a CANDIDATE release recording what it was
 * trained on, and the champion/challenger decision (promotion when it says so). Nothing is written
 * to model-releases before the end, and then in one transaction under the {@link RetrainLease}.
 */
public final class RetrainJob {
    /** How it ended. */
    public record Outcome(ModelRelease candidate, boolean promoted, String summary, Snapshot snapshot) {
    }

    private final RetrainPlan plan;
    private final PrintStream err;

    public RetrainJob(RetrainPlan plan, PrintStream err) {
        this.plan = plan;
        this.err = err;
    }

    /** Only the snapshot: the dataset folder and its snapshot.json, nothing trained or published. */
    public Snapshot snapshotOnly() {
        requireRegistry();
        return snapshot(plan.offsets());
    }

    public Outcome run() throws IOException {
        requireRegistry();
        ReleaseLog log = new ReleaseLog(plan.bootstrap(), plan.registryUrl(), plan.client(), plan.timeout());
        ModelStore store = ModelStore.open(plan.store()); // a bad store fails now, not after training
        try (RetrainLease lease = RetrainLease.take(plan.bootstrap(), plan.registryUrl(), plan.client(), plan.modelName(), plan.timeout())) {
            ReleaseHistory history = log.read();
            ModelRelease champion = history.promoted(plan.modelName()).orElse(null);
            LogSnapshot reader = reader();
            TopicOffsets ends = plan.offsets() != null ? plan.offsets() : reader.currentEnds();
            if (!plan.forceRetrain() && plan.offsets() == null) {
                RetrainChecks.somethingNew(champion, ends);
            }
            Snapshot snap = snapshot(ends);
            RetrainChecks.enoughData(snap, plan.minImages());
            RetrainChecks.seenClassesCovered(snap);
            GzslDataset data = DirectoryDataset.open(snap.dir());

            Path modelDir = plan.workDir().resolve("model");
            Path exportDir = plan.workDir().resolve("export");
            err.println("training " + plan.train().arch() + " on " + snap.films() + " confirmed films (seen " + snap.classes().seen().size()
                    + ", unseen " + snap.classes().unseen().size() + (snap.classes().promoted().isEmpty() ? ""
                    : ", newly seen " + snap.classes().promoted()) + ")");
            GzslTrainer.Result trained = new GzslTrainer(plan.train(), err).train(data, modelDir, false);
            ModelManifest manifest;
            EvaluationReport challengerReport;
            try (TrainedModel model = TrainedModel.load(trained.modelDir())) {
                challengerReport = Evaluator.evaluate(model, data, "test", false, 1, plan.threads(), 64);
                Path report = plan.workDir().resolve("challenger-report.json");
                challengerReport.write(report);
                manifest = ModelExporter.export(model, exportDir, new ModelExporter.Options(plan.modelName(), plan.version(),
                        DjlBlockExporter.BatchNormMode.FOLD, 0.95, snap.dir(), 0, report)).manifest();
            }
            ChampionScore championScore = scoreChampion(champion, data);

            Map<String, URI> uris = ReleasePublisher.store(store, exportDir, manifest);
            ModelRelease candidate = ReleasePublisher.release(exportDir, manifest, uris, ReleaseStatus.CANDIDATE, dataSnapshot(snap));
            Map<String, Double> metrics = new LinkedHashMap<>(candidate.getMetrics());
            if (championScore.metrics() != null) {
                championScore.metrics().forEach((k, v) -> metrics.put("champion." + k, v));
            }
            metrics.putAll(NewlySeenLabels.metrics(snap.classes().promoted(), challengerReport, championScore.perClass()));
            candidate.setMetrics(metrics);
            candidate.setParentVersion(champion == null ? null : champion.getVersion());
            candidate.setDataOffsets(new LinkedHashMap<>(snap.offsets().offsets()));
            candidate.setSplit(snap.split().toAvro());
            return decideAndPublish(lease, history, champion, championScore, candidate, snap);
        }
    }

    private Outcome decideAndPublish(RetrainLease lease, ReleaseHistory history, ModelRelease champion, ChampionScore championScore,
                                     ModelRelease candidate, Snapshot snap) {
        ChampionChallengerRule rule = plan.rule();
        ModelRelease compared = champion == null || championScore.metrics() == null ? champion
                : ModelRelease.newBuilder(champion).setMetrics(new LinkedHashMap<>(championScore.metrics())).build();
        ChampionChallengerRule.Verdict verdict = rule.decide(compared, candidate);
        List<String> reasons = new ArrayList<>(verdict.reasons());
        if (champion != null) {
            reasons.add(championScore.how());
        }
        candidate.setDecision(ReleaseDecision.newBuilder().setRule(rule.describe()).setOutcome(verdict.outcome()).setReasons(reasons)
                .setChampionVersion(champion == null ? null : champion.getVersion())
                .setChampionMetrics(new LinkedHashMap<>(verdict.championMetrics()))
                .setChallengerMetrics(new LinkedHashMap<>(verdict.challengerMetrics()))
                .setDecidedAt(Instant.now()).setDecidedBy(plan.by()).build());
        List<ModelRelease> writes = new ArrayList<>();
        writes.add(candidate);
        String ref = ReleaseHistory.key(candidate);
        String newlySeen = NewlySeenLabels.describe(candidate.getMetrics());
        if (!verdict.promotes()) {
            lease.publish(writes);
            return new Outcome(candidate, false, "published " + ref + " as CANDIDATE; not promoted: "
                    + String.join("; ", verdict.reasons().stream().filter(r -> r.contains(" < ") || r.startsWith("challenger has no")).toList())
                    + newlySeen, snap);
        }
        history.accept(ref, candidate);
        Transition t = new ModelLifecycle(history, rule).promote(plan.modelName(), candidate.getVersion(), plan.by(),
                "retrained on " + snap.films() + " confirmed films", false, championScore.metrics());
        if (t.refusal().isPresent()) { // the rule agreed above with the same metrics, so only an artifact problem gets here
            lease.publish(writes);
            return new Outcome(candidate, false, "published " + ref + " as CANDIDATE; not promoted: " + t.refusal().get() + newlySeen, snap);
        }
        writes.addAll(t.writes());
        lease.publish(writes);
        return new Outcome(candidate, true, "published " + ref + " and " + t.summary() + newlySeen, snap);
    }

    /** The champion's metrics on the snapshot's test films, or why its recorded ones stand in. */
    record ChampionScore(Map<String, Double> metrics, Map<String, Double> perClass, String how) {
        ChampionScore(Map<String, Double> metrics, String how) {
            this(metrics, Map.of(), how);
        }
    }

    private ChampionScore scoreChampion(ModelRelease champion, GzslDataset data) {
        if (champion == null) {
            return new ChampionScore(null, "no champion");
        }
        String ref = ReleaseHistory.key(champion);
        var problem = ArtifactCheck.problem(champion);
        if (problem.isPresent()) {
            return new ChampionScore(null, "champion " + ref + " compared by its recorded metrics: " + problem.get());
        }
        Path dir = champion.getArtifacts().stream().filter(a -> a.getName().equals(ModelManifest.FILE_NAME)).map(Artifact::getUri)
                .map(u -> Path.of(URI.create(u)).getParent()).findFirst().orElse(null);
        if (dir == null) {
            return new ChampionScore(null, "champion " + ref + " compared by its recorded metrics: it has no " + ModelManifest.FILE_NAME);
        }
        try (ExportedModel m = ExportedModel.load(dir, ExportedModel.DevicePreference.CPU)) {
            EvaluationReport r = ExportedModelEvaluator.evaluate(m, data, "test", plan.threads(), 64);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put(ChampionChallengerRule.SEEN, r.seenMean());
            metrics.put(ChampionChallengerRule.UNSEEN, r.unseenMean());
            metrics.put(ChampionChallengerRule.HARMONIC, r.harmonicMean());
            metrics.values().removeIf(v -> !Double.isFinite(v));
            err.printf(Locale.ROOT, "champion %s on the same %d test films: seen %.4f, unseen %.4f, harmonic %.4f%n", ref,
                    data.split("test").size(), r.seenMean(), r.unseenMean(), r.harmonicMean());
            return new ChampionScore(metrics, r.perClass(), "champion " + ref + " measured on the same " + data.split("test").size() + " test films");
        } catch (IllegalArgumentException | IllegalStateException | org.triage.model.onnx.ModelLoadException e) {
            return new ChampionScore(null, "champion " + ref + " compared by its recorded metrics: cannot score these films: " + e.getMessage());
        }
    }

    private Snapshot snapshot(TopicOffsets ends) {
        Path dir = plan.workDir().resolve("data");
        try {
            org.triage.schemas.io.Directories.deleteRecursively(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
        LogSnapshot.Content content = reader().read(ends, dir.resolve(DirectoryDataset.IMAGES_DIR));
        Snapshot snap = new SnapshotWriter(plan.split(), plan.promotion()).write(content, dir);
        err.println("snapshot: " + snap.films() + " confirmed films (train " + snap.split().train() + ", val " + snap.split().val()
                + ", test " + snap.split().test() + ", split " + snap.split().hash().substring(0, 12) + ")"
                + (snap.skipped().isEmpty() ? "" : "; left out " + snap.skipped()));
        return snap;
    }

    private LogSnapshot reader() {
        return new LogSnapshot(plan.bootstrap(), plan.registryUrl(), plan.client(), plan.timeout());
    }

    private static String dataSnapshot(Snapshot s) {
        return "log snapshot: split " + s.split().method() + " seed " + s.split().seed() + " sha256=" + s.split().hash()
                + "; offsets " + s.offsets().offsets();
    }

    /** The registry is needed for every record; an unreachable one should stop the job before it reads anything. */
    private void requireRegistry() {
        try {
            new SchemaRegistryClient(plan.registryUrl(), RegistryClientConfig.from(plan.client().serdeConfig(plan.registryUrl()))
                    .withRetries(0, java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(100))).getSubjects();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot reach the schema registry at " + plan.registryUrl() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

}
