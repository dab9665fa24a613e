package org.triage.stream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.triage.events.Calibration;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.PrototypeKind;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.stream.calibration.ReferenceEmbeddings;
import org.triage.stream.calibration.ThresholdCalibrator;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.model.PromotedRelease;
import org.triage.stream.model.ReleaseFollower;
import org.triage.stream.topology.PrototypeValidator;
import org.triage.stream.topology.Scorer;

/**
 * Calibrates an unseen prototype against the model in service and the stored embeddings of its
 * recent films: what {@code prototypes add} does for a CALIBRATED unseen label and what
 * {@code prototypes calibrate} does on demand. Failures are IllegalArgumentException with what to do.
 */
final class PrototypeCalibration {
    record Calibrated(Calibration calibration, ThresholdCalibrator.Result result) {
    }

    private PrototypeCalibration() {
    }

    /** The model directory to calibrate with: the given one, else the PROMOTED release's (SHA-256 checked). */
    static Path modelDir(ConnectionOptions c, Path given, String modelName) {
        if (given != null) {
            return given;
        }
        ModelRelease release = PromotedRelease.find(c.bootstrapServers, c.schemaRegistryUrl, c.clientProperties(), modelName,
                PrototypesCommand.TIMEOUT).orElseThrow(() -> new IllegalArgumentException(
                "no PROMOTED release on model-releases" + (modelName == null ? "" : " of '" + modelName + "'") + "; give --model-dir"));
        return ReleaseFollower.verify(release);
    }

    static Calibrated calibrate(ConnectionOptions c, Path modelDir, LabelPrototype p, Map<String, LabelPrototype> all, double lookbackDays,
                                Double targetRate) {
        try (BatchEmbedder model = new OnnxModelLoader().load(modelDir)) {
            String ref = model.info().ref();
            if (Scorer.kind(p, model.info()) == PrototypeKind.SEEN) {
                throw new IllegalArgumentException("'" + p.getLabelId() + "' is a seen label of " + ref + ": it uses the release's calibrated threshold");
            }
            var unusable = org.triage.stream.topology.PrototypeProjection.unusableBy(p, model);
            if (unusable.isPresent()) {
                throw new IllegalArgumentException(unusable.get());
            }
            if (!org.triage.stream.topology.PrototypeProjection.isSharedSpace(p) && p.getDimension() != model.info().classVectorDim()) {
                throw new IllegalArgumentException("'" + p.getLabelId() + "' has a " + p.getDimension() + "-d vector, " + ref + " takes "
                        + model.info().classVectorDim() + "-d class vectors");
            }
            Instant since = Instant.now().minusMillis((long) (lookbackDays * 86_400_000L));
            List<float[]> reference = ReferenceEmbeddings.read(c.bootstrapServers, c.schemaRegistryUrl, c.clientProperties(), ref, since,
                    Duration.ofMinutes(5));
            Map<String, float[]> seen = new HashMap<>();
            for (LabelPrototype s : all.values()) {
                if (Scorer.kind(s, model.info()) == PrototypeKind.SEEN && s.getDimension() == model.info().classVectorDim()
                        && !org.triage.stream.topology.PrototypeProjection.isSharedSpace(s)) {
                    seen.put(s.getLabelId(), org.triage.stream.topology.PrototypeProjection.project(s, model));
                }
            }
            float[] projection = org.triage.stream.topology.PrototypeProjection.project(p, model);
            ThresholdCalibrator.Result r = ThresholdCalibrator.calibrate(projection, reference, seen, model.info().thresholds(),
                    model::distance, targetRate);
            Calibration calibration = Calibration.newBuilder().setThreshold(r.threshold()).setModel(ref)
                    .setReferenceFilms(r.referenceFilms()).setTargetRate(r.targetRate()).setMethod("reference-quantile")
                    .setCalibratedAt(Instant.now()).build();
            return new Calibrated(calibration, r);
        }
    }

    static String describe(Calibrated c) {
        ThresholdCalibrator.Result r = c.result();
        return String.format("threshold %.4f (distance; lower = closer) for %s, %.2f%% of %d reference films within it%s",
                r.threshold(), c.calibration().getModel(), 100 * r.targetRate(), r.referenceFilms(),
                r.seenRates().isEmpty() ? " (rate given)" : " (the seen labels' median rate " + r.seenRates() + ")");
    }
}
