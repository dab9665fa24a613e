package org.triage.stream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.triage.events.AlertPolicy;
import org.triage.events.Calibration;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.stream.calibration.ReferenceEmbeddings;
import org.triage.stream.calibration.ThresholdCalibrator;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.model.PromotedRelease;
import org.triage.stream.model.ReleaseFollower;
import org.triage.stream.topology.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code triage prototypes calibrate}: fixes an unseen label's alert threshold on the stored
 * embeddings of recent films under the model in service, and writes it as a new prototype
 * version. Every stream instance and every replay then alerts on that one number, and the alert
 * count follows the prevalence of the disease.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Calibrate an unseen label's alert threshold on recent stored embeddings and record it on a new prototype version.")
public final class CalibrateCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--id", required = true, description = "Label id.")
    String id;

    @Option(names = "--lookback-days", defaultValue = "7", description = "Reference population: embeddings of the last N days (default ${DEFAULT-VALUE}).")
    double lookbackDays;

    @Option(names = "--target-rate", description = "Share of the reference films within the threshold (default: the seen labels' median alert rate).")
    Double targetRate;

    @Option(names = "--model-dir", description = "Model directory (default: the PROMOTED release on model-releases).")
    Path modelDir;

    @Option(names = "--model-name", description = "Follow releases of this model name (default: the newest PROMOTED release).")
    String modelName;

    @Option(names = "--by", defaultValue = "${env:USER:-triage}", description = "Who calibrates (recorded on the prototype; default ${DEFAULT-VALUE}).")
    String by;

    @Override
    public Integer call() throws Exception {
        PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl,
                connection.clientProperties());
        Map<String, LabelPrototype> all = repo.current(PrototypesCommand.TIMEOUT);
        LabelPrototype p = all.get(id);
        if (p == null) {
            System.err.println("triage prototypes calibrate: no active prototype '" + id + "' (see: triage prototypes list)");
            return 2;
        }
        Path dir = modelDir;
        if (dir == null) {
            ModelRelease release = PromotedRelease.find(connection.bootstrapServers, connection.schemaRegistryUrl,
                    connection.clientProperties(), modelName, PrototypesCommand.TIMEOUT).orElse(null);
            if (release == null) {
                System.err.println("triage prototypes calibrate: no PROMOTED release on model-releases; give --model-dir");
                return 2;
            }
            dir = ReleaseFollower.verify(release);
        }
        try (BatchEmbedder model = new OnnxModelLoader().load(dir)) {
            if (Scorer.kind(p, model.info()) == PrototypeKind.SEEN) {
                System.err.println("triage prototypes calibrate: '" + id + "' is a seen label of " + model.info().ref()
                        + ": it uses the release's calibrated threshold");
                return 2;
            }
            if (p.getDimension() != model.info().classVectorDim()) {
                System.err.println("triage prototypes calibrate: '" + id + "' has a " + p.getDimension() + "-d vector, " + model.info().ref()
                        + " takes " + model.info().classVectorDim() + "-d class vectors");
                return 2;
            }
            Instant since = Instant.now().minusMillis((long) (lookbackDays * 86_400_000L));
            List<float[]> reference = ReferenceEmbeddings.read(connection.bootstrapServers, connection.schemaRegistryUrl,
                    connection.clientProperties(), model.info().ref(), since, Duration.ofMinutes(5));
            Map<String, float[]> seen = new HashMap<>();
            for (LabelPrototype s : all.values()) {
                if (Scorer.kind(s, model.info()) == PrototypeKind.SEEN && s.getDimension() == model.info().classVectorDim()) {
                    seen.put(s.getLabelId(), model.project(new float[][] {vector(s)})[0]);
                }
            }
            float[] projection = model.project(new float[][] {vector(p)})[0];
            ThresholdCalibrator.Result r;
            try {
                r = ThresholdCalibrator.calibrate(projection, reference, seen, model.info().thresholds(), model::distance, targetRate);
            } catch (IllegalArgumentException e) {
                System.err.println("triage prototypes calibrate: " + e.getMessage());
                return 2;
            }
            Calibration c = Calibration.newBuilder().setThreshold(r.threshold()).setModel(model.info().ref())
                    .setReferenceFilms(r.referenceFilms()).setTargetRate(r.targetRate()).setMethod("reference-quantile")
                    .setCalibratedAt(Instant.now()).build();
            AlertPolicy policy = AlertPolicy.newBuilder(p.getAlertPolicy()).setMode(ThresholdMode.CALIBRATED).setValue(null)
                    .setCalibration(c).build();
            LabelPrototype next = LabelPrototype.newBuilder(p).setAlertPolicy(policy).setVersion(p.getVersion() + 1).setAuthor(by)
                    .setUpdatedAt(Instant.now()).build();
            repo.write(id, next);
            System.out.printf("calibrated %s v%d for %s: threshold %.4f (distance; lower = closer), %.2f%% of %d reference films within it%s%n",
                    id, next.getVersion(), model.info().ref(), r.threshold(), 100 * r.targetRate(), r.referenceFilms(),
                    r.seenRates().isEmpty() ? " (rate given)" : " (the seen labels' median rate " + r.seenRates() + ")");
            return 0;
        }
    }

    private static float[] vector(LabelPrototype p) {
        float[] v = new float[p.getVector().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = p.getVector().get(i);
        }
        return v;
    }
}
