package org.triage.platform.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.triage.platform.PortInUseException;
import org.triage.schemas.io.Directories;
import org.triage.platform.internal.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka (combined broker + controller) running inside this JVM.
 *
 * <p>Listens on 127.0.0.1 only. Storage is formatted programmatically the way {@code kafka-storage.sh format}
 * does; when the data directory already holds formatted storage it is reused as is, so topics, offsets and
 * the cluster id survive a restart. Settings are those a single node needs: replication factor 1 for every
 * internal topic (offsets, transactions, share groups) so that consumer groups and exactly_once_v2 work,
 * no initial rebalance delay, and a message size limit large enough for an inline radiograph.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Largest record batch the broker accepts: a lossless 16-bit radiograph plus headroom. */
    public static final int MAX_MESSAGE_BYTES = org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES;
    public static final String HOST = BrokerSettings.HOST;
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDir;
    private final Path tempRoot;
    private final String clusterId;
    private final DataDirLock lock;
    private final Thread cleanupHook;
    private volatile boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, int port, Path logDir, Path tempRoot, String clusterId, DataDirLock lock) {
        this.server = server;
        this.port = port;
        this.logDir = logDir;
        this.tempRoot = tempRoot;
        this.clusterId = clusterId;
        this.lock = lock;
        // A caller that never closes us (a test without @AfterAll, an exception path) must not leak the
        // temporary storage: normal JVM exit still shuts the broker down and deletes it.
        this.cleanupHook = tempRoot == null ? null : new Thread(this::close, "embedded-kafka-cleanup");
        if (cleanupHook != null) {
            Runtime.getRuntime().addShutdownHook(cleanupHook);
        }
    }

    /** A broker on a free port with storage in a temporary directory deleted by {@link #close()}. */
    public static EmbeddedKafka start() throws IOException {
        return start(null, 0, Map.of());
    }

    /**
     * Starts a broker and returns once it is registered, unfenced and accepting clients.
     *
     * @param dataDir where the log lives (reused when already formatted); null for a temporary directory
     * @param port client port on 127.0.0.1; 0 picks a free one
     * @param overrides extra broker properties, applied last. {@code ${port}} and {@code ${controller.port}} in a value
     *                  stand for the ports chosen here, so a caller can replace the listeners (a SASL listener for tests)
     * @throws PortInUseException when {@code port} is taken
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) throws IOException {
        long t0 = System.nanoTime();
        Path tempRoot = dataDir == null ? Files.createTempDirectory("triage-kafka-") : null;
        Path logDir = (dataDir == null ? tempRoot : dataDir).resolve("kafka").toAbsolutePath();
        DataDirLock lock = null;
        try {
            Files.createDirectories(logDir);
            // Two brokers on one log directory corrupt the metadata log, and Kafka then halts the JVM.
            lock = DataDirLock.acquire(logDir.getParent());
            int brokerPort = port == 0 ? Ports.free(HOST) : Ports.requireFree(HOST, port, "--kafka-port");
            int controllerPort = freePortOtherThan(brokerPort);
            Map<String, String> props = brokerProps(logDir, brokerPort, controllerPort);
            overrides.forEach((k, v) -> props.put(k, v.replace("${port}", String.valueOf(brokerPort))
                    .replace("${controller.port}", String.valueOf(controllerPort))));
            KafkaConfig config = new KafkaConfig(props, false);
            String clusterId = formatIfNeeded(config, logDir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(server);
                throw e;
            }
            log.info("Kafka broker up on {}:{} (cluster {}, data {}) in {} ms", HOST, brokerPort, clusterId, logDir,
                    (System.nanoTime() - t0) / 1_000_000);
            return new EmbeddedKafka(server, brokerPort, logDir, tempRoot, clusterId, lock);
        } catch (IOException | RuntimeException e) {
            cleanUpFailedStart(lock, tempRoot);
            throw e;
        } catch (Exception e) {
            cleanUpFailedStart(lock, tempRoot);
            throw new IOException("could not start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    private static void cleanUpFailedStart(DataDirLock lock, Path tempRoot) {
        if (lock != null) {
            lock.close();
        }
        if (tempRoot != null) {
            Directories.deleteQuietly(tempRoot);
        }
    }

    /** A requested client port is only checked, not held: the OS may hand the same number out as "free". */
    private static int freePortOtherThan(int taken) throws IOException {
        int p = Ports.free(HOST);
        while (p == taken) {
            p = Ports.free(HOST);
        }
        return p;
    }

    static Map<String, String> brokerProps(Path logDir, int brokerPort, int controllerPort) {
        return BrokerSettings.node(NODE_ID, NODE_ID + "@" + HOST + ":" + controllerPort, logDir, brokerPort, controllerPort, 1);
    }

    /** Formats the storage unless a previous run already did; returns the cluster id in use. */
    private static String formatIfNeeded(KafkaConfig config, Path logDir) throws Exception {
        var existing = KafkaStorage.clusterId(logDir);
        if (existing.isPresent()) {
            log.info("Reusing formatted Kafka storage in {} (cluster {})", logDir, existing.get());
            return existing.get();
        }
        return KafkaStorage.formatIfNeeded(config, logDir, NODE_ID, Uuid.randomUuid().toString());
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cleanupHook != null && Thread.currentThread() != cleanupHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway and finds us closed
            }
        }
        shutdownQuietly(server);
        lock.close();
        if (tempRoot != null) {
            Directories.deleteQuietly(tempRoot);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka broker did not shut down cleanly: {}", e.toString());
        }
    }
}
