package org.triage.platform;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.triage.platform.internal.Ports;
import org.triage.platform.kafka.EmbeddedKafka;
import org.triage.platform.kafka.KafkaClusterProcesses;
import org.triage.platform.registry.SchemaRegistryServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole local platform in this JVM: a single-node KRaft broker, the schema registry on top of it and
 * the architecture's topics. What {@code triage local-stack}, {@code triage demo} and integration tests run.
 * With {@code brokers(3)} the broker is instead a cluster of three KRaft nodes in child JVMs, and the topics
 * get three replicas with two in sync.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults())) {
 *     String bootstrap = stack.bootstrapServers();   // 127.0.0.1:PORT
 *     String registry = stack.schemaRegistryUrl();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    private final EmbeddedKafka kafka; // null when the brokers run as a cluster of processes
    private final KafkaClusterProcesses cluster; // null for the single in-process broker
    private final SchemaRegistryServer registry;
    private volatile boolean closed;

    private LocalStack(EmbeddedKafka kafka, KafkaClusterProcesses cluster, SchemaRegistryServer registry) {
        this.kafka = kafka;
        this.cluster = cluster;
        this.registry = registry;
    }

    /** A stack on free ports with temporary storage. */
    public static LocalStack start() throws IOException {
        return start(LocalStackOptions.defaults());
    }

    /**
     * Starts broker, registry and topics; returns when all three are ready.
     *
     * @throws PortInUseException when a requested port is taken (the message names the flag)
     */
    public static LocalStack start(LocalStackOptions options) throws IOException {
        long t0 = System.nanoTime();
        if (options.partitions() < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + options.partitions());
        }
        if (options.brokers() < 1) {
            throw new IllegalArgumentException("--brokers must be at least 1, got " + options.brokers());
        }
        if (options.registryPort() != 0) {
            // Fail before spending seconds on the broker when the registry could not bind anyway.
            Ports.requireFree(options.registryBind(), options.registryPort(), "--registry-port");
        }
        EmbeddedKafka kafka = null;
        KafkaClusterProcesses cluster = null;
        if (options.brokers() == 1) {
            kafka = EmbeddedKafka.start(options.dataDir(), options.kafkaPort(), Map.of());
        } else {
            cluster = KafkaClusterProcesses.start(KafkaClusterProcesses.options().brokers(options.brokers())
                    .dataDir(options.dataDir() == null ? null : options.dataDir().resolve("cluster"))
                    .firstPort(options.kafkaPort()));
        }
        AutoCloseable brokers = kafka != null ? kafka : cluster;
        String bootstrap = kafka != null ? kafka.bootstrapServers() : cluster.bootstrapServers();
        SchemaRegistryServer registry;
        try {
            if (options.provisionTopics()) {
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    TopicProvisioner.forBrokers(options.partitions(), options.brokers()).provision(admin, 30_000);
                }
            }
            registry = SchemaRegistryServer.start(bootstrap, options.registryBind(), options.registryPort(), options.registryBasicAuth());
        } catch (IOException | RuntimeException | Error e) {
            // Broker threads are not daemons: a half-started stack left running would keep the JVM alive.
            closeQuietly(brokers);
            throw e;
        }
        log.info("Local stack ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
        return new LocalStack(kafka, cluster, registry);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("could not stop the brokers cleanly: {}", e.toString());
        }
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kafka != null ? kafka.bootstrapServers() : cluster.bootstrapServers();
    }

    /** {@code http://127.0.0.1:PORT}, for {@code schema.registry.url}. */
    public String schemaRegistryUrl() {
        return registry.url();
    }

    /** The in-process broker of a single-broker stack. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("this stack runs " + cluster.size() + " broker processes; see cluster()");
        }
        return kafka;
    }

    /** The broker processes of a multi-broker stack. */
    public Optional<KafkaClusterProcesses> cluster() {
        return Optional.ofNullable(cluster);
    }

    public SchemaRegistryServer registry() {
        return registry;
    }

    /** Stops the registry, then the broker; deletes temporary storage. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            registry.close();
        } finally {
            if (kafka != null) {
                kafka.close();
            } else {
                cluster.close();
            }
        }
    }
}
