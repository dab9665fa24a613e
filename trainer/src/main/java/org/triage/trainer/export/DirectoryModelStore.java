package org.triage.trainer.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.triage.model.onnx.Sha256;

/**
 * A model store on a (possibly shared) file system. A release is copied into a hidden staging
 * folder beside its final place and then renamed, so a reader never sees half a release.
 */
public final class DirectoryModelStore implements ModelStore {
    private final Path root;

    public DirectoryModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public Map<String, URI> put(String name, String version, Map<String, Path> files) {
        requireSafe("model name", name);
        requireSafe("version", version);
        Path target = root.resolve(name).resolve(version);
        try {
            if (Files.isDirectory(target)) {
                return sameRelease(target, files);
            }
            Files.createDirectories(target.getParent());
            Path staging = Files.createTempDirectory(target.getParent(), "." + version + ".staging-");
            try {
                for (Map.Entry<String, Path> f : files.entrySet()) {
                    requireSafe("artifact", f.getKey());
                    Files.copy(f.getValue(), staging.resolve(f.getKey()));
                }
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    if (Files.isDirectory(target)) {
                        return sameRelease(target, files); // a concurrent publisher of the same release won
                    }
                    throw e;
                }
            } finally {
                org.triage.schemas.io.Directories.deleteRecursively(staging);
            }
            return uris(target, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store release " + name + ":" + version + " under " + root + ": " + e.getMessage(), e);
        }
    }

    private Map<String, URI> sameRelease(Path target, Map<String, Path> files) throws IOException {
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Path stored = target.resolve(f.getKey());
            if (!Files.isRegularFile(stored) || !Sha256.hex(stored).equals(Sha256.hex(f.getValue()))) {
                throw new IllegalStateException("release " + target.getParent().getFileName() + ":" + target.getFileName()
                        + " already exists in " + root + " with a different " + f.getKey() + "; releases are immutable, use a new --release-version");
            }
        }
        return uris(target, files);
    }

    private static Map<String, URI> uris(Path target, Map<String, Path> files) {
        Map<String, URI> out = new LinkedHashMap<>();
        files.keySet().forEach(f -> out.put(f, target.resolve(f).toUri()));
        return out;
    }

    private static void requireSafe(String what, String s) {
        if (s == null || s.isBlank() || !s.matches("[A-Za-z0-9._-]+") || s.startsWith(".")) {
            throw new IllegalArgumentException(what + " '" + s + "' must be letters, digits, '.', '_' or '-' and not start with '.'");
        }
    }

}
