package org.triage.trainer.export;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where released artifacts live, addressed by URI so that releases can point at object storage.
 * Layout: {@code <root>/<name>/<version>/<file>}; a release is immutable once stored.
 */
public interface ModelStore {

    /**
     * Stores the files of one release; returns each file's URI. Storing the same release again
     * with identical bytes is a no-op; with different bytes it is refused.
     */
    Map<String, URI> put(String name, String version, Map<String, Path> files);

    /** Opens a store from a directory path or a URI: {@code file:} today; {@code s3:} is reserved and refused with a clear message. */
    static ModelStore open(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("model store location is empty");
        }
        int colon = location.indexOf(':');
        // A scheme is at least two letters, so a Windows drive letter is not taken for one.
        String scheme = colon > 1 ? location.substring(0, colon) : null;
        if (scheme == null) {
            return new DirectoryModelStore(Path.of(location));
        }
        return switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "file" -> new DirectoryModelStore(Path.of(URI.create(location)));
            case "s3" -> throw new IllegalArgumentException("model store " + location
                    + ": s3: is reserved for object storage but not implemented in this build; use a directory or a file: URI");
            default -> throw new IllegalArgumentException("model store " + location + ": unsupported scheme '" + scheme
                    + "' (supported: a directory path, file:)");
        };
    }
}
