package org.triage.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.triage.platform.TopicProvisioner;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Provisions the architecture's topics on an existing cluster (the local stack does this itself). */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create the triage topics on a Kafka cluster.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create missing topics with their configs (compaction, message size, retention); existing ones are left as they are.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication-factor", description = "Replication factor (default: the broker's default.replication.factor).")
        Short replicationFactor;

        @Option(names = "--radiograph-retention-ms", defaultValue = "-1",
                description = "Retention of 'radiographs', the retraining source (default ${DEFAULT-VALUE} = forever).")
        long retentionMs;

        @Option(names = "--timeout-ms", defaultValue = "60000", description = "How long to wait for the cluster (default ${DEFAULT-VALUE}).")
        long timeoutMs;

        @Override
        public Integer call() {
            TopicProvisioner provisioner = new TopicProvisioner(partitions, Optional.ofNullable(replicationFactor), retentionMs);
            Map<String, Object> config = new java.util.HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs));
            connection.clientProperties().applyToConfig(config);
            try (Admin admin = Admin.create(config)) {
                List<String> created = provisioner.provision(admin, timeoutMs);
                System.out.println("created=" + String.join(",", created));
                return 0;
            }
        }
    }
}
