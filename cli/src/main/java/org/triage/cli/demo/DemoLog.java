package org.triage.cli.demo;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.LoggerFactory;

/**
 * Sends everything that is not the demo's story to a log file: the logback configuration is
 * swapped for one with a file appender, and Java's System.err (where libraries print directly)
 * goes to the same file. The launcher also points the process's native stderr there, for what
 * native libraries print (PyTorch, ONNX Runtime), passing the path as {@code -Dtriage.demo.log}.
 */
public final class DemoLog {
    public static final String PROPERTY = "triage.demo.log";

    private DemoLog() {
    }

    /** @return the log file, now receiving every log line and System.err */
    public static Path start(Path cacheDir) throws IOException {
        String given = System.getProperty(PROPERTY);
        Path file = given != null && !given.isBlank() ? Path.of(given) : cacheDir.resolve("logs").resolve("demo-"
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")) + ".log");
        Files.createDirectories(file.toAbsolutePath().getParent());
        System.setProperty(PROPERTY, file.toString());
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.reset();
            JoranConfigurator c = new JoranConfigurator();
            c.setContext(ctx);
            try {
                c.doConfigure(DemoLog.class.getResource("/logback-demo.xml"));
            } catch (ch.qos.logback.core.joran.spi.JoranException e) {
                throw new IOException("cannot configure demo logging into " + file + ": " + e.getMessage(), e);
            }
        }
        System.setErr(new PrintStream(new FileOutputStream(file.toFile(), true), true));
        return file;
    }

    /**
     * Runs {@code work} with System.out captured: a command run in-process whose output the story
     * condenses into its own line. The full text goes to the log file.
     */
    static String capturingStdout(java.util.concurrent.Callable<Integer> work, String what) throws Exception {
        PrintStream before = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int rc;
        System.setOut(new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            rc = work.call();
        } finally {
            System.setOut(before);
        }
        String text = buf.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        System.err.println(what + ": " + text);
        if (rc != 0) {
            throw new IllegalStateException(what + " failed with exit code " + rc + " (its messages are in the log file)");
        }
        return text;
    }

    /**
     * Runs {@code work} with System.err on the terminal narration: a job that reports its own
     * progress there (the trainer's bar and epoch lines) is part of the story.
     */
    static <T> T narratingStderr(PrintStream narration, java.util.concurrent.Callable<T> work) throws Exception {
        PrintStream before = System.err;
        System.setErr(narration);
        try {
            return work.call();
        } finally {
            System.setErr(before);
        }
    }
}
