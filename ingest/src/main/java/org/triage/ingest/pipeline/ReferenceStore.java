package org.triage.ingest.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reference mode for large deployments: the encoded image goes to a shared folder (content-addressed by
 * its SHA-256) and the event carries its {@code file:} URI instead of the bytes.
 */
public final class ReferenceStore {
    private final Path dir;

    public ReferenceStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir).toAbsolutePath();
    }

    /** Writes atomically (temp file + move) so that a reader never sees a partial image; returns the URI. */
    public String store(byte[] png, String sha256) throws IOException {
        Path target = dir.resolve(sha256 + ".png");
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(dir, ".incoming-", ".png");
            try {
                Files.write(tmp, png);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return target.toUri().toString();
    }
}
