package org.triage.ingest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds the external peers the integration tests use (dcmtk, pydicom, Orthanc) and skips clearly without them. */
public final class TestTools {
    public static final String PYTHON = "/usr/bin/python3";

    private TestTools() {
    }

    public static Path which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static Path requireTool(String name, String debianPackage) {
        Path p = which(name);
        require(p != null, "skipped: '" + name + "' not found (apt-get install " + debianPackage + ")");
        return p;
    }

    /** The pydicom test_files folder, or skip. */
    public static Path pydicomTestFiles() {
        require(Files.isExecutable(Path.of(PYTHON)), "skipped: " + PYTHON + " not found");
        Result r = run(List.of(PYTHON, "-c", "import pydicom,os;print(os.path.join(os.path.dirname(pydicom.__file__),'data','test_files'))"), 60);
        require(r.code == 0, "skipped: pydicom not importable by " + PYTHON + " (apt-get install python3-pydicom python3-numpy)");
        Path p = Path.of(r.out.strip());
        require(Files.isDirectory(p), "skipped: pydicom test files missing at " + p);
        return p;
    }

    /** Skips with the reason, or fails where peers are required ({@link org.triage.schemas.PeerPolicy}). */
    public static void require(boolean available, String reason) {
        assumeTrue(available || org.triage.schemas.PeerPolicy.skipAllowed(reason), reason);
    }

    /** Output and exit code of a finished process. */
    public record Result(int code, String out) {
    }

    public static Result run(List<String> cmd, int timeoutSeconds) {
        try {
            Path log = Files.createTempFile("proc", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    return new Result(-1, "timed out: " + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Result(-2, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-3, "interrupted");
        }
    }

    public static Result python(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        return run(cmd, 120);
    }
}
