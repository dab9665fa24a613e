package org.triage.platform.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Recursive deletion of the temporary directories this module creates. */
public final class Dirs {
    private static final Logger log = LoggerFactory.getLogger(Dirs.class);

    private Dirs() {
    }

    public static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not delete temporary directory {}: {}", root, e.toString());
        }
    }
}
