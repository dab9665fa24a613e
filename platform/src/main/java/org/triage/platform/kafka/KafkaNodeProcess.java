package org.triage.platform.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One {@link KafkaNodeMain} child JVM: launches it, waits for its ready line, kills or stops it. Its stderr
 * is appended to a log file next to its storage, so a failed start can say why.
 */
final class KafkaNodeProcess {
    private final int nodeId;
    private final List<String> command;
    private final Path logFile;
    private Process process;
    private CountDownLatch ready;

    KafkaNodeProcess(int nodeId, List<String> command, Path logFile) {
        this.nodeId = nodeId;
        this.command = List.copyOf(command);
        this.logFile = logFile;
    }

    synchronized void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is running already");
        }
        Files.createDirectories(logFile.getParent());
        // stdin stays a pipe that we never write to and never close: the node exits when it reaches EOF,
        // which happens when this JVM dies, however it dies.
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        CountDownLatch latch = new CountDownLatch(1);
        Thread reader = new Thread(() -> readStdout(p, latch), "kafka-node-" + nodeId + "-stdout");
        reader.setDaemon(true);
        reader.start();
        process = p;
        ready = latch;
    }

    private static void readStdout(Process p, CountDownLatch latch) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(KafkaNodeMain.READY)) {
                    latch.countDown();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Blocks until the node printed its ready line; fails early, with the end of its log, when it died. */
    void awaitReady(long deadlineNanos) throws IOException {
        Process p;
        CountDownLatch latch;
        synchronized (this) {
            p = process;
            latch = ready;
        }
        try {
            while (!latch.await(100, TimeUnit.MILLISECONDS)) {
                if (!p.isAlive()) {
                    throw new IOException("Kafka node " + nodeId + " exited with code " + p.exitValue() + " before it was ready"
                            + logTail());
                }
                if (System.nanoTime() > deadlineNanos) {
                    throw new IOException("Kafka node " + nodeId + " was not ready in time" + logTail());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for Kafka node " + nodeId, e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            return last.isEmpty() ? " (its log " + logFile + " is empty)" : "; last lines of " + logFile + ":\n  " + String.join("\n  ", last);
        } catch (IOException e) {
            return " (no log at " + logFile + ")";
        }
    }

    /** SIGKILL: no controlled shutdown, no flush; what a power cut or an OOM killer does. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitQuietly(process, 30);
        }
    }

    /** SIGTERM, then SIGKILL when the node has not stopped within {@code seconds}. */
    synchronized void stop(long seconds) {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!waitQuietly(process, seconds)) {
                process.destroyForcibly();
                waitQuietly(process, 10);
            }
        }
    }

    /** Sends SIGTERM without waiting, so that several nodes stop in parallel. */
    synchronized void signalStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    int nodeId() {
        return nodeId;
    }

    Path logFile() {
        return logFile;
    }

    private static boolean waitQuietly(Process p, long seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
