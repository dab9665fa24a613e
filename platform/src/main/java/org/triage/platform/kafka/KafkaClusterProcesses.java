package org.triage.platform.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.triage.schemas.io.Directories;
import org.triage.platform.internal.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of N KRaft nodes, each in its own JVM ({@link KafkaNodeMain}), on 127.0.0.1: every node
 * is broker and controller, the N nodes form a static N-voter quorum, each has its own storage and ports. For
 * tests that kill a broker the hard way (SIGKILL) and for {@code triage local-stack --brokers 3}.
 *
 * <pre>{@code
 * try (KafkaClusterProcesses cluster = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(3))) {
 *     String bootstrap = cluster.bootstrapServers();   // 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
 *     cluster.kill(1);                                 // SIGKILL the second node (node id 2)
 *     cluster.restart(1);                              // same storage, same ports; waits until it is back
 * }
 * }</pre>
 *
 * <p>Nodes are addressed by index {@code 0..N-1}; node ids are {@code index + 1}. Child JVMs use the current
 * {@code java} and class path. A node's stderr goes to {@code node-ID.log} in its directory.
 */
public final class KafkaClusterProcesses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaClusterProcesses.class);
    private static final String HOST = BrokerSettings.HOST;

    private final List<KafkaNodeProcess> nodes;
    private final List<Integer> ports;
    private final Path root;
    private final boolean temporary;
    private final String clusterId;
    private final Duration timeout;
    private final DataDirLock lock;
    private final Thread cleanupHook;
    private volatile boolean closed;

    /** How to start a cluster; defaults: 3 brokers, free ports, temporary storage, a 3-minute start budget. */
    public static final class Options {
        private int brokers = 3;
        private Path dataDir;
        private int firstPort;
        private List<String> jvmOptions = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        private Duration timeout = Duration.ofMinutes(3);

        public Options brokers(int n) {
            this.brokers = n;
            return this;
        }

        /** Storage root ({@code node-ID/kafka} per node), reused when formatted; null = temporary, deleted on close. */
        public Options dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Client ports {@code firstPort, firstPort+1, ...}; 0 = free ports. */
        public Options firstPort(int port) {
            this.firstPort = port;
            return this;
        }

        public Options jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** How long a start or a restart may take until every broker is registered. */
        public Options timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }
    }

    public static Options options() {
        return new Options();
    }

    private KafkaClusterProcesses(List<KafkaNodeProcess> nodes, List<Integer> ports, Path root, boolean temporary,
                                  String clusterId, Duration timeout, DataDirLock lock) {
        this.nodes = nodes;
        this.ports = ports;
        this.root = root;
        this.temporary = temporary;
        this.clusterId = clusterId;
        this.timeout = timeout;
        this.lock = lock;
        // Children also exit when our stdin pipe to them closes; this hook makes a normal exit quick and tidy.
        this.cleanupHook = new Thread(this::close, "kafka-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Starts every node and returns once all of them are registered brokers of one cluster. */
    public static KafkaClusterProcesses start(Options o) throws IOException {
        if (o.brokers < 1) {
            throw new IllegalArgumentException("--brokers must be at least 1, got " + o.brokers);
        }
        long t0 = System.nanoTime();
        List<Integer> ports = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < o.brokers; i++) {
            ports.add(o.firstPort == 0 ? Ports.free(HOST) : Ports.requireFree(HOST, o.firstPort + i, "--kafka-port"));
        }
        for (int i = 0; i < o.brokers; i++) {
            int c;
            do {
                c = Ports.free(HOST);
            } while (ports.contains(c) || controllerPorts.contains(c));
            controllerPorts.add(c);
        }
        boolean temporary = o.dataDir == null;
        Path root = (temporary ? Files.createTempDirectory("triage-kafka-cluster-") : o.dataDir).toAbsolutePath();
        Files.createDirectories(root);
        StringJoiner quorum = new StringJoiner(",");
        for (int i = 0; i < o.brokers; i++) {
            quorum.add((i + 1) + "@" + HOST + ":" + controllerPorts.get(i));
        }
        String voters = quorum.toString();
        String clusterId = KafkaStorage.clusterId(logDir(root, 1)).orElseGet(() -> Uuid.randomUuid().toString());
        List<KafkaNodeProcess> nodes = new ArrayList<>();
        for (int i = 0; i < o.brokers; i++) {
            int id = i + 1;
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(o.jvmOptions);
            cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaNodeMain.class.getName(),
                    "--node-id", String.valueOf(id), "--cluster-id", clusterId, "--log-dir", logDir(root, id).toString(),
                    "--port", String.valueOf(ports.get(i)), "--controller-port", String.valueOf(controllerPorts.get(i)),
                    "--voters", voters, "--cluster-size", String.valueOf(o.brokers)));
            nodes.add(new KafkaNodeProcess(id, cmd, root.resolve("node-" + id).resolve("node-" + id + ".log")));
        }
        // Each node locks its own directory too, but a second cluster on this root should fail here, with the
        // same one-line message as a second single-node stack, not as three nodes dying.
        DataDirLock lock = DataDirLock.acquire(root);
        KafkaClusterProcesses cluster = new KafkaClusterProcesses(nodes, ports, root, temporary, clusterId, o.timeout, lock);
        try {
            // All at once: a node cannot finish starting before a majority of the quorum is up.
            for (KafkaNodeProcess n : nodes) {
                n.launch();
            }
            long deadline = System.nanoTime() + o.timeout.toNanos();
            for (KafkaNodeProcess n : nodes) {
                n.awaitReady(deadline);
            }
            cluster.awaitBrokers(o.brokers, deadline);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        log.info("Kafka cluster of {} nodes up on {} (cluster {}, data {}) in {} ms", o.brokers, cluster.bootstrapServers(),
                clusterId, root, (System.nanoTime() - t0) / 1_000_000);
        return cluster;
    }

    private static Path logDir(Path root, int nodeId) {
        return root.resolve("node-" + nodeId).resolve("kafka");
    }

    /** {@code 127.0.0.1:P1,127.0.0.1:P2,...}, every node, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ports.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.size();
    }

    /** The broker id ({@code node.id}) of the node at {@code index}. */
    public int nodeId(int index) {
        return nodes.get(index).nodeId();
    }

    /** The client port of the node at {@code index}. */
    public int port(int index) {
        return ports.get(index);
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return root;
    }

    public Path nodeLog(int index) {
        return nodes.get(index).logFile();
    }

    public boolean isAlive(int index) {
        return nodes.get(index).isAlive();
    }

    /** SIGKILLs the node at {@code index} and waits until the process is gone. */
    public void kill(int index) {
        log.info("Killing Kafka node {} (SIGKILL)", nodeId(index));
        nodes.get(index).kill();
    }

    /**
     * Starts the node at {@code index} again on its storage and ports (killing it first if it still runs) and
     * waits until every node of the cluster is a registered broker again.
     */
    public void restart(int index) throws IOException {
        KafkaNodeProcess n = nodes.get(index);
        if (n.isAlive()) {
            n.kill();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        n.launch();
        n.awaitReady(deadline);
        awaitBrokers(nodes.size(), deadline);
        log.info("Kafka node {} restarted", n.nodeId());
    }

    /** Waits until the cluster metadata lists {@code count} live (registered, unfenced) brokers. */
    public void awaitBrokers(int count, Duration within) throws IOException {
        awaitBrokers(count, System.nanoTime() + within.toNanos());
    }

    private void awaitBrokers(int count, long deadlineNanos) throws IOException {
        int seen = -1;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (System.nanoTime() < deadlineNanos) {
                try {
                    seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen == count) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not answering yet (a node just started, a controller election is running)
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the Kafka cluster", e);
        }
        throw new IOException("the Kafka cluster did not reach " + count + " live brokers in time (last seen: "
                + (seen < 0 ? "no answer" : seen) + "); node logs are under " + root);
    }

    /** Stops every node (SIGTERM, SIGKILL after 30 s) in parallel; deletes temporary storage. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != cleanupHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway and finds us closed
            }
        }
        for (KafkaNodeProcess n : nodes) {
            n.signalStop();
        }
        for (KafkaNodeProcess n : nodes) {
            n.stop(30);
        }
        lock.close();
        if (temporary) {
            Directories.deleteQuietly(root);
        }
    }
}
