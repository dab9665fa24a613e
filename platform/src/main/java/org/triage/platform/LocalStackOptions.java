package org.triage.platform;

import java.nio.file.Path;
import java.util.Optional;
import org.triage.platform.registry.BasicAuth;

/**
 * How to start a {@link LocalStack}. Defaults suit tests: a temporary data dir and free ports.
 * Setters return {@code this} so options read as one expression.
 */
public final class LocalStackOptions {
    private Path dataDir;
    private int kafkaPort;
    private int registryPort;
    private int partitions = 1;
    private String registryBind = "127.0.0.1";
    private boolean provisionTopics = true;
    private int brokers = 1;
    private BasicAuth registryBasicAuth;

    public static LocalStackOptions defaults() {
        return new LocalStackOptions();
    }

    /** Where broker data lives and survives restarts; null = a temporary directory deleted on close. */
    public LocalStackOptions dataDir(Path dataDir) {
        this.dataDir = dataDir;
        return this;
    }

    /** Kafka client port on 127.0.0.1; 0 = a free one. */
    public LocalStackOptions kafkaPort(int port) {
        this.kafkaPort = port;
        return this;
    }

    /** Registry HTTP port; 0 = a free one. */
    public LocalStackOptions registryPort(int port) {
        this.registryPort = port;
        return this;
    }

    /** Partitions of each architecture topic created on start. */
    public LocalStackOptions partitions(int partitions) {
        this.partitions = partitions;
        return this;
    }

    /** Address the registry binds; 127.0.0.1 unless exposing it is intended. */
    public LocalStackOptions registryBind(String bind) {
        this.registryBind = bind;
        return this;
    }

    /** Whether the architecture's topics are created on start (default true). */
    public LocalStackOptions provisionTopics(boolean provision) {
        this.provisionTopics = provision;
        return this;
    }

    /**
     * 1 (default): one broker inside this JVM. More: that many KRaft nodes, each in its own JVM
     * ({@link org.triage.platform.kafka.KafkaClusterProcesses}), with topics replicated 3 ways, 2 in sync.
     */
    public LocalStackOptions brokers(int brokers) {
        this.brokers = brokers;
        return this;
    }

    /** Require HTTP basic auth on the registry; null = open (default). */
    public LocalStackOptions registryBasicAuth(BasicAuth auth) {
        this.registryBasicAuth = auth;
        return this;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int registryPort() {
        return registryPort;
    }

    public int partitions() {
        return partitions;
    }

    public String registryBind() {
        return registryBind;
    }

    public boolean provisionTopics() {
        return provisionTopics;
    }

    public int brokers() {
        return brokers;
    }

    public Optional<BasicAuth> registryBasicAuth() {
        return Optional.ofNullable(registryBasicAuth);
    }
}
