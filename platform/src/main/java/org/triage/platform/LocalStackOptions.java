package org.triage.platform;

import java.nio.file.Path;

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
}
