package org.triage.trainer.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ModelLoadException;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.trainer.export.DjlBlockExporter;
import org.triage.trainer.export.ExportException;
import org.triage.trainer.export.ModelExporter;
import org.triage.trainer.export.ModelStore;
import org.triage.trainer.export.ReleasePublisher;
import org.triage.trainer.model.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Export a trained model to ONNX and optionally publish a release. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a trained model to ONNX and optionally publish a release.",
            "Writes visual.onnx ([N,C,S,S] -> [N,E]), semantic.onnx ([M,D] -> [M,E]) and model.json, and checks them "
                + "against the DJL model before finishing. --publish copies them to the model store and sends a ModelRelease "
                + "to model-releases."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL_DIR", description = "Model directory written by 'triage train'.")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the export (default: the model directory).")
    Path out;

    @Option(names = "--name", defaultValue = "cm-dml-gzsl", description = "Model name; the release is keyed name:version on model-releases (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--release-version", paramLabel = "VERSION", description = "Release version (default: UTC time + first 8 hex of visual.onnx's SHA-256).")
    String version;

    @Option(names = "--batchnorm", defaultValue = "fold", paramLabel = "fold|emit",
            description = "Fold BatchNorm into the preceding Conv where there is one, or emit every BatchNormalization node (default ${DEFAULT-VALUE}).")
    String batchNorm;

    @Option(names = "--val-data", paramLabel = "DATASET_DIR",
            description = "Dataset whose 'val' split calibrates the per-label thresholds (without it the manifest has no thresholds).")
    Path valData;

    @Option(names = "--max-val-images", defaultValue = "0", description = "Use at most this many validation images (0 = all).")
    int maxValImages;

    @Option(names = "--target-specificity", defaultValue = "0.95",
            description = "Specificity the thresholds are chosen for on validation data (default ${DEFAULT-VALUE}).")
    double targetSpecificity;

    @Option(names = "--eval-report", paramLabel = "FILE",
            description = "Evaluation report JSON for the manifest's metrics (default: evaluation.json, eval/report.json or report.json in the model directory, when present).")
    Path evalReport;

    @Option(names = "--publish", description = "Store the artifacts and send a ModelRelease record to model-releases.")
    boolean publish;

    @Option(names = "--status", defaultValue = "CANDIDATE", paramLabel = "CANDIDATE|PROMOTED",
            description = "Status of the published release (default ${DEFAULT-VALUE}); the stream follows PROMOTED.")
    String status;

    @Option(names = "--store", paramLabel = "DIR|URI", defaultValue = "${env:TRIAGE_MODEL_STORE:-${sys:user.home}/.triage/model-store}",
            description = "Model store: a directory or a file: URI (env TRIAGE_MODEL_STORE; default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--parent-version", paramLabel = "VERSION",
            description = "Version of the same name this release was trained from or challenges (recorded as parentVersion).")
    String parentVersion;

    @Option(names = "--publish-timeout-ms", defaultValue = "60000", description = "How long to wait for the broker (default ${DEFAULT-VALUE}).")
    long publishTimeoutMs;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
        try {
            DjlBlockExporter.BatchNormMode mode = switch (batchNorm.toLowerCase(Locale.ROOT)) {
                case "fold" -> DjlBlockExporter.BatchNormMode.FOLD;
                case "emit" -> DjlBlockExporter.BatchNormMode.EMIT;
                default -> throw new IllegalArgumentException("--batchnorm must be fold or emit, not '" + batchNorm + "'");
            };
            ReleaseStatus releaseStatus = parseStatus(status);
            if (!(targetSpecificity >= 0 && targetSpecificity <= 1)) {
                throw new IllegalArgumentException("--target-specificity must be between 0 and 1, not " + targetSpecificity);
            }
            if (publish) {
                ModelStore.open(store); // a bad store location fails before minutes of export, not after
            }
            Path outDir = out != null ? out : model;
            ModelExporter.Options opts = new ModelExporter.Options(name, version, mode, targetSpecificity, valData, maxValImages, evalReport);
            ModelExporter.Result r;
            String paramsFile;
            try (TrainedModel trained = TrainedModel.load(model)) {
                paramsFile = trained.config().paramsFile();
                r = ModelExporter.export(trained, outDir, opts);
            }
            ModelManifest m = r.manifest();
            System.out.printf(Locale.ROOT, "exported %s %s (%s) to %s in %.1f s%n", m.name(), m.version(), m.architecture(), outDir, r.millis() / 1000.0);
            m.artifacts().forEach((f, sha) -> System.out.println("  " + f + "  sha256=" + sha));
            System.out.printf(Locale.ROOT, "  opset %d; visual %d nodes, %d BatchNorms folded; max |onnx - djl|: visual %.2e, semantic %.2e%n",
                    m.opset(), r.visualNodes(), r.foldedBatchNorms(), r.visualMaxDiff(), r.semanticMaxDiff());
            System.out.println("  thresholds: " + (m.thresholds().isEmpty() ? "none (pass --val-data to calibrate)"
                    : m.thresholds().size() + " labels at target specificity " + m.targetSpecificity())
                    + "; metrics: " + (m.metrics().isEmpty() ? "none" : m.metrics().size()));
            if (publish) {
                ModelStore modelStore = ModelStore.open(store);
                Map<String, URI> uris = ReleasePublisher.store(modelStore, outDir, m);
                ModelRelease release = ReleasePublisher.release(outDir, m, uris, releaseStatus, ReleasePublisher.dataSnapshot(model, paramsFile));
                release.setParentVersion(parentVersion);
                try (var serde = AvroSerdes.specific(ModelRelease.class, connection.schemaRegistryUrl, false)) {
                    RecordMetadata md = ReleasePublisher.send(connection.bootstrapServers, serde.serializer(), release, publishTimeoutMs);
                    System.out.printf(Locale.ROOT, "published %s:%s %s to %s (partition %d, offset %d); artifacts in %s%n", m.name(), m.version(),
                            releaseStatus, md.topic(), md.partition(), md.offset(), uris.get(ModelManifest.FILE_NAME));
                }
            }
            return 0;
        } catch (ExportException | ModelLoadException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("triage export: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            System.err.println("triage export: " + e.getMessage());
            return 1;
        }
    }

    static ReleaseStatus parseStatus(String s) {
        try {
            ReleaseStatus st = ReleaseStatus.valueOf(s.toUpperCase(Locale.ROOT));
            if (st == ReleaseStatus.RETIRED) {
                throw new IllegalArgumentException("--status RETIRED is not a release; use CANDIDATE or PROMOTED");
            }
            return st;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("--status")) {
                throw e;
            }
            throw new IllegalArgumentException("--status must be CANDIDATE or PROMOTED, not '" + s + "'");
        }
    }
}
