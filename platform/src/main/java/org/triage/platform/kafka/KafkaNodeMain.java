package org.triage.platform.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One KRaft node (combined broker + controller) of a multi-node cluster, alone in its own JVM, so that it can
 * be killed with SIGKILL like a real server. {@link KafkaClusterProcesses} starts these.
 *
 * <p>stdout carries one line once the broker is registered and unfenced:
 * {@code kafka.node.ready node.id=N bootstrap=127.0.0.1:PORT}. Logs go to stderr. The node stops on SIGTERM,
 * and also when its stdin reaches end of file: that is how it notices that the parent which started it died,
 * so a killed test or local stack does not leave brokers holding ports behind.
 */
@Command(name = "kafka-node", mixinStandardHelpOptions = true, description = "Run one KRaft node of a loopback cluster.")
public final class KafkaNodeMain implements Callable<Integer> {
    static final String READY = "kafka.node.ready";
    private static final long SHUTDOWN_BUDGET_MS = 10_000;

    @Option(names = "--node-id", required = true)
    int nodeId;

    @Option(names = "--cluster-id", required = true, description = "Written into freshly formatted storage.")
    String clusterId;

    @Option(names = "--log-dir", required = true)
    Path logDir;

    @Option(names = "--port", required = true, description = "Client port on 127.0.0.1.")
    int port;

    @Option(names = "--controller-port", required = true)
    int controllerPort;

    @Option(names = "--voters", required = true, description = "The static quorum: id@127.0.0.1:controllerPort,...")
    String voters;

    @Option(names = "--cluster-size", required = true)
    int clusterSize;

    @Option(names = "--exit-on-stdin-eof", negatable = true, defaultValue = "true", fallbackValue = "true")
    boolean exitOnStdinEof;

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new KafkaNodeMain());
        cmd.setExecutionExceptionHandler((e, c, r) -> {
            System.err.println("kafka node: could not start: " + e);
            return 1;
        });
        int rc = cmd.execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
        // On success the broker's non-daemon threads keep the JVM up until a shutdown.
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(logDir);
        DataDirLock lock = DataDirLock.acquire(logDir.getParent());
        Map<String, String> props = BrokerSettings.node(nodeId, voters, logDir.toAbsolutePath(), port, controllerPort, clusterSize);
        KafkaConfig config = new KafkaConfig(props, false);
        String inUse = KafkaStorage.formatIfNeeded(config, logDir.toAbsolutePath(), nodeId, clusterId);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, lock), "kafka-node-shutdown"));
        server.startup();
        System.out.println(READY + " node.id=" + nodeId + " bootstrap=" + BrokerSettings.HOST + ":" + port + " cluster.id=" + inUse);
        System.out.flush();
        if (exitOnStdinEof) {
            Thread watchdog = new Thread(KafkaNodeMain::exitWhenParentGoes, "kafka-node-parent-watch");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        return 0;
    }

    private static void exitWhenParentGoes() {
        try (InputStream in = System.in) {
            byte[] buf = new byte[256];
            while (in.read(buf) != -1) {
                // nothing is ever sent; we only wait for the pipe to close
            }
        } catch (IOException ignored) {
            // a broken pipe means the same
        }
        System.err.println("kafka node: parent process gone, shutting down");
        System.exit(0);
    }

    /**
     * A controlled shutdown needs a controller quorum; when the whole cluster stops at once the last nodes may
     * wait for one that is gone, so the shutdown gets a time budget and then the JVM halts.
     */
    private static void stop(KafkaRaftServer server, DataDirLock lock) {
        Thread t = new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-stop");
        t.setDaemon(true);
        t.start();
        try {
            t.join(SHUTDOWN_BUDGET_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.close();
        if (t.isAlive()) {
            System.err.println("kafka node: shutdown took longer than " + TimeUnit.MILLISECONDS.toSeconds(SHUTDOWN_BUDGET_MS) + " s, halting");
            Runtime.getRuntime().halt(0);
        }
    }
}
