package org.triage.stream.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ModelLoadException;
import org.triage.model.onnx.Sha256;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;

/**
 * What a prototype must fit: the class-vector dimension and encoder of the model that scores it.
 * From a model directory ({@code --model}) or from the PROMOTED release on model-releases (the one
 * {@code triage stream} follows: the one promoted last, optionally of one name), whose model.json is read
 * through its artifact URI and checked against its SHA-256.
 *
 * @param ref            "name:version"
 * @param classVectorDim dimension semantic.onnx takes
 * @param encoder        the manifest's classVectorEncoder (null when the manifest names none)
 * @param where          where it was learnt, for messages
 */
record ModelInService(String ref, int classVectorDim, String encoder, String where) {

    static ModelInService fromModelDir(Path dir) {
        ModelManifest m;
        try {
            m = ModelManifest.read(dir);
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException("--model " + dir + ": " + e.getMessage());
        }
        return new ModelInService(m.name() + ":" + m.version(), m.classVectorDim(), blankToNull(m.classVectorEncoder()), "--model " + dir);
    }

    /** The release the stream follows, or empty when none is PROMOTED. */
    static Optional<ModelInService> promoted(String bootstrap, String registry, KafkaClientProperties client, String modelName, Duration timeout) {
        ReleaseHistory history = new ReleaseHistory();
        PrototypeRepository.latest(bootstrap, registry, client, Topics.MODEL_RELEASES, ModelRelease.class, timeout).forEach(history::accept);
        ModelRelease target = history.promoted(modelName).orElse(null);
        if (target == null) {
            return Optional.empty();
        }
        String ref = target.getName() + ":" + target.getVersion();
        String where = "the PROMOTED release on " + Topics.MODEL_RELEASES;
        String fix = "; pass --model MODEL_DIR (a copy of that model's folder) to check against it";
        Artifact manifest = target.getArtifacts().stream().filter(a -> ModelManifest.FILE_NAME.equals(a.getName())).findFirst().orElse(null);
        if (manifest == null) {
            throw new IllegalArgumentException("release " + ref + " on " + Topics.MODEL_RELEASES + " has no " + ModelManifest.FILE_NAME
                    + " artifact, so its class-vector encoder is unknown" + fix);
        }
        ModelManifest m;
        try {
            URI uri = URI.create(manifest.getUri());
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("its URI scheme '" + uri.getScheme() + "' is not file:");
            }
            byte[] bytes = Files.readAllBytes(Path.of(uri));
            if (!Sha256.hex(bytes).equalsIgnoreCase(manifest.getSha256())) {
                throw new IllegalArgumentException("SHA-256 mismatch");
            }
            m = ModelManifest.fromJson(bytes);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + ModelManifest.FILE_NAME + " of release " + ref + ": " + manifest.getUri()
                    + " does not exist on this machine" + fix);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read " + ModelManifest.FILE_NAME + " of release " + ref + " (" + manifest.getUri() + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + fix);
        }
        if (m.classVectorDim() != target.getClassVectorDim()) {
            throw new IllegalArgumentException("release " + ref + " says classVectorDim " + target.getClassVectorDim() + " but its "
                    + ModelManifest.FILE_NAME + " says " + m.classVectorDim() + ": fix the release");
        }
        return Optional.of(new ModelInService(ref, m.classVectorDim(), blankToNull(m.classVectorEncoder()), where));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    String describe() {
        return "model " + ref + " (" + where + ")";
    }
}
