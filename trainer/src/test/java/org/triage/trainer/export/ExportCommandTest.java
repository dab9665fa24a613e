package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.cli.ExportCommand;
import picocli.CommandLine;

/** Bad input to {@code triage export} gets exit code 1 and one clear line, not a stack trace. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    private String run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, new CommandLine(new ExportCommand()).execute(args));
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void missingModelDirectory() {
        String e = run("--model", tmp.resolve("nope").toString());
        assertTrue(e.startsWith("triage export: ") && e.contains("config.json is missing") && !e.contains("\tat "), e);
    }

    @Test
    void badStatusSpecificityAndStore() {
        assertTrue(run("--model", tmp.toString(), "--status", "RETIRED").contains("--status RETIRED is not a release"));
        assertTrue(run("--model", tmp.toString(), "--status", "LIVE").contains("--status must be CANDIDATE or PROMOTED"));
        assertTrue(run("--model", tmp.toString(), "--target-specificity", "1.5").contains("--target-specificity must be between 0 and 1"));
        assertTrue(run("--model", tmp.toString(), "--publish", "--store", "s3://b/m").contains("s3: is reserved"));
        assertTrue(run("--model", tmp.toString(), "--batchnorm", "maybe").contains("--batchnorm must be fold or emit"));
    }

    @Test
    void storeDefaultsToTheUsersHomeUnlessConfigured() {
        CommandLine cl = new CommandLine(new ExportCommand());
        cl.parseArgs("--model", tmp.toString());
        String expected = System.getenv("TRIAGE_MODEL_STORE") != null ? System.getenv("TRIAGE_MODEL_STORE")
                : System.getProperty("user.home") + "/.triage/model-store";
        assertEquals(expected, cl.getCommandSpec().findOption("--store").getValue());
    }

    @Test
    void helpWorksWithoutRequiredOptions() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new CommandLine(new ExportCommand()).execute("--help"));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--release-version"));
    }
}
