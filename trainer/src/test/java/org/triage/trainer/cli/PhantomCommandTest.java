package org.triage.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.data.GzslDataset;
import picocli.CommandLine;

class PhantomCommandTest {
    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        PrintStream quiet = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setErr(quiet);
        try {
            return new CommandLine(new PhantomCommand()).execute(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void generatesRefusesToOverwriteAndRejectsBadFlags(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("ph");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(err, "--out", out.toString(), "--seed", "5", "--size", "32", "--train", "12", "--val", "4",
                "--test", "12", "--no-preview"));
        assertEquals(12, GzslDataset.open(out).split("train").size());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("phantom ["), "progress bar on stderr");

        err.reset();
        assertEquals(1, run(err, "--out", out.toString(), "--size", "32", "--train", "2", "--val", "1", "--test", "2"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not empty"), err.toString(StandardCharsets.UTF_8));

        err.reset();
        assertEquals(0, run(err, "--out", out.toString(), "--force", "--size", "32", "--train", "2", "--val", "1", "--test", "2", "--no-preview"));
        try (var files = Files.list(out.resolve("images"))) {
            assertEquals(5, files.count(), "--force removed the previous run's films");
        }

        err.reset();
        assertEquals(2, run(err, "--out", dir.resolve("x").toString(), "--size", "8"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--size must be between"), err.toString(StandardCharsets.UTF_8));
    }
}
