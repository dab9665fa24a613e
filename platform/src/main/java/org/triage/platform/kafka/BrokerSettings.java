package org.triage.platform.kafka;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The broker properties of one KRaft node (combined broker + controller) on loopback, for a cluster of
 * {@code clusterSize} such nodes. One place for both the in-process single node ({@link EmbeddedKafka}) and
 * the nodes of {@link KafkaClusterProcesses}, so the two cannot drift apart.
 */
final class BrokerSettings {
    static final String HOST = "127.0.0.1";

    private BrokerSettings() {
    }

    /**
     * @param voters the static quorum, {@code id@host:controllerPort,...}; every node of the cluster is a voter
     * @param clusterSize how many nodes there are: internal topics get min(clusterSize, 3) replicas
     */
    static Map<String, String> node(int nodeId, String voters, Path logDir, int brokerPort, int controllerPort, int clusterSize) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // Internal topics are as durable as the cluster allows: one replica on one node, three replicas of which
        // two must acknowledge on three nodes (so one node can die without refusing writes or losing them).
        String rf = String.valueOf(Math.min(clusterSize, 3));
        String minIsr = String.valueOf(clusterSize >= 3 ? 2 : 1);
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Radiographs travel inline; the default 1 MiB limit would refuse most of them.
        p.put("message.max.bytes", String.valueOf(EmbeddedKafka.MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(EmbeddedKafka.MAX_MESSAGE_BYTES));
        // The defaults are sized for a dedicated server; a laptop or 2-core CI box shares its cores and heap.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "5000");
        if (clusterSize > 1) {
            // A killed node is fenced (and dropped from every ISR) after this long without a heartbeat; the
            // default 9 s would stall acks=all producers that long. Not lower: a loaded 2-core box pauses.
            p.put("broker.heartbeat.interval.ms", "500");
            p.put("broker.session.timeout.ms", "4000");
            p.put("replica.socket.timeout.ms", "10000");
            p.put("unclean.leader.election.enable", "false");
        }
        return p;
    }
}
