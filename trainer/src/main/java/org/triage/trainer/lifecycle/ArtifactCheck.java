package org.triage.trainer.lifecycle;

import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.model.onnx.Sha256;

/**
 * Whether a release's artifacts are still the bytes it was published with. Checked before a
 * release goes into service: the stream would refuse a mismatch anyway, but only after the
 * topic said it was PROMOTED, leaving the old model serving under a record that claims otherwise.
 */
public final class ArtifactCheck {
    private ArtifactCheck() {
    }

    /** The first problem found, or empty when every artifact matches its SHA-256. */
    public static Optional<String> problem(ModelRelease r) {
        if (r.getArtifacts().isEmpty()) {
            return Optional.of("it has no artifacts");
        }
        for (Artifact a : r.getArtifacts()) {
            URI uri;
            try {
                uri = URI.create(a.getUri());
            } catch (IllegalArgumentException e) {
                return Optional.of(a.getName() + ": bad URI " + a.getUri());
            }
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                return Optional.of(a.getName() + ": cannot check a '" + uri.getScheme() + "' URI here (" + a.getUri() + ")");
            }
            Path file = Path.of(uri);
            try {
                if (!Sha256.hex(file).equalsIgnoreCase(a.getSha256())) {
                    return Optional.of(a.getName() + ": SHA-256 of " + file + " no longer matches the release");
                }
            } catch (NoSuchFileException e) {
                return Optional.of(a.getName() + ": " + file + " does not exist");
            } catch (IOException e) {
                return Optional.of(a.getName() + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return Optional.empty();
    }
}
