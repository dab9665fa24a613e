package org.triage.alerts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: structure and the refusals that happen before anything connects. */
class AlertsCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new AlertsCommand());
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        // Like the triage CLI: one line, not a stack trace.
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("triage " + c.getCommandName() + ": " + ex.getMessage());
            return 1;
        });
        return cmd.execute(args);
    }

    @Test
    void alertsAloneShowsUsageWithServe() {
        assertEquals(CommandLine.ExitCode.USAGE, run());
        assertTrue(err.toString().contains("serve"), err.toString());
    }

    @Test
    void serveHasTheContractFlags() {
        CommandLine serve = new CommandLine(new AlertsCommand()).getSubcommands().get("serve");
        for (String flag : new String[] {"--port", "--tokens-file", "--bind", "--webhook", "--bootstrap-servers", "--schema-registry-url", "--max-alerts"}) {
            assertTrue(serve.getCommandSpec().findOption(flag) != null, flag);
        }
        assertEquals("127.0.0.1", serve.getCommandSpec().findOption("--bind").defaultValue());
    }

    @Test
    void malformedTokensFileIsRefusedWithItsLineNumber(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "# ok\nsecret-token-abcdefgh:viewer\nsecret-token-zzzzzzzzz:superuser\n");
        int rc = run("serve", "--port", "0", "--tokens-file", tokens.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("line 3"), err.toString());
        assertFalse(err.toString().contains("secret-token"), "tokens must never be printed: " + err);
    }

    @Test
    void missingTokensFileAndBadWebhookAreRefused(@TempDir Path dir) throws Exception {
        assertNotEquals(0, run("serve", "--port", "0", "--tokens-file", dir.resolve("absent").toString()));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "secret-token-abcdefgh:viewer\n");
        assertNotEquals(0, run("serve", "--port", "0", "--tokens-file", tokens.toString(), "--webhook", "ftp://example/x?key=abc"));
        assertTrue(err.toString().contains("--webhook"), err.toString());
        assertFalse(err.toString().contains("key=abc"), "webhook secrets must not be printed: " + err);
        assertNotEquals(0, run("serve", "--tokens-file", tokens.toString()));
        assertTrue(err.toString().contains("--port"), err.toString());
    }
}
