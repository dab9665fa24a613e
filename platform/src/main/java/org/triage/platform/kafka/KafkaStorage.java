package org.triage.platform.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.metadata.storage.Formatter;

/** Formats a node's log directory the way {@code kafka-storage.sh format} does, unless it already is. */
final class KafkaStorage {
    private KafkaStorage() {
    }

    /** The cluster id recorded in an already formatted log directory. */
    static Optional<String> clusterId(Path logDir) throws IOException {
        Path meta = logDir.resolve("meta.properties");
        if (!Files.exists(meta)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(meta)) {
            props.load(in);
        }
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    /**
     * Formats {@code logDir} for {@code nodeId} with {@code clusterId} (a static quorum: the voters come from
     * the config) unless it holds formatted storage already; returns the cluster id in use.
     */
    static String formatIfNeeded(KafkaConfig config, Path logDir, int nodeId, String clusterId) throws Exception {
        Optional<String> existing = clusterId(logDir);
        if (existing.isPresent()) {
            return existing.get();
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(config.metadataLogDir())
                .addDirectory(logDir.toString())
                .run();
        return clusterId;
    }
}
