package org.triage.trainer.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's interpreter, the one that sees python3-sklearn, python3-onnx and python3-torchvision (the
 * {@code python3} first on PATH may not): independent references the tests cross-check against.
 */
public final class DebianPython {
    public static final Path PATH = Path.of("/usr/bin/python3");

    private DebianPython() {}

    /** What a run printed (stdout and stderr together) and its exit status; -1 when it timed out. */
    public record Result(int exitCode, String output) {}

    /** Skips the calling test, saying what to install, unless /usr/bin/python3 can import {@code modules} (comma-separated). */
    public static void assumeModules(String modules, String installHint) throws IOException, InterruptedException {
        String noPython = "skipped: " + PATH + " not found (" + installHint + ")";
        assumeTrue(Files.isExecutable(PATH) || org.triage.schemas.PeerPolicy.skipAllowed(noPython), noPython);
        String noModule = "skipped: " + PATH + " cannot import " + modules + " (" + installHint + ")";
        assumeTrue(run(60, null, List.of("-c", "import " + modules)).exitCode() == 0 || org.triage.schemas.PeerPolicy.skipAllowed(noModule),
                noModule);
    }

    /** Like {@link #assumeModules} for an optional peer (large, so CI may not have it): always skips when missing. */
    public static void assumeOptionalModules(String modules, String installHint) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PATH), "skipped: " + PATH + " not found (" + installHint + ")");
        assumeTrue(run(60, null, List.of("-c", "import " + modules)).exitCode() == 0,
                "skipped (optional peer): " + PATH + " cannot import " + modules + " (" + installHint + ")");
    }

    /** Runs /usr/bin/python3 with {@code args} in {@code dir} (null: the current one), killing it after the timeout. */
    public static Result run(int timeoutSeconds, Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(PATH.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        // output to a file, not a pipe: the timeout holds even when the child hangs, and a chatty child cannot block on a full pipe
        Path log = Files.createTempFile("python", ".log");
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return done ? new Result(p.exitValue(), out) : new Result(-1, out + "\n(timed out after " + timeoutSeconds + " s)");
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
