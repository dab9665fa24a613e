package org.triage.results;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.triage.schemas.PeerPolicy;

/** Finds the Debian tools the DICOM tests talk to; skips without them, or fails where peers are required. */
public final class Peers {
    private Peers() {
    }

    public static Path require(String tool, String debianPackage) {
        Path found = null;
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/usr/sbin:/usr/local/bin")
                .split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                found = Path.of(dir, tool);
                break;
            }
        }
        String reason = "skipped: '" + tool + "' not found (apt-get install " + debianPackage + ")";
        assumeTrue(found != null || PeerPolicy.skipAllowed(reason), reason);
        return found;
    }

    public static List<String> command(Path tool, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
