package org.triage.stream.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * A topic of the stream's own (Streams creates only the topics of its DSL; the processor API's are ours), created
 * before the stream starts and checked for the partition count its sub-topology relies on.
 */
public final class OwnTopic {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private OwnTopic() {
    }

    /**
     * @param partitions        the partitions the topic must have (an existing topic with another count is refused)
     * @param replicationFactor empty: the broker's default (as Streams does for its own topics)
     * @param why               what relies on the partition count, for the refusal's message
     */
    public static void ensure(String bootstrapServers, KafkaClientProperties client, String topic, int partitions,
                              Map<String, String> configs, Optional<Short> replicationFactor, String why) {
        try (Admin admin = Admin.create(adminProperties(bootstrapServers, client))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), replicationFactor).configs(configs)))
                        .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new InfrastructureException("kafka", "cannot create topic " + topic + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            TopicDescription d = describe(admin, topic);
            if (d.partitions().size() != partitions) {
                throw new IllegalStateException("topic " + topic + " has " + d.partitions().size() + " partitions; " + why
                        + " needs exactly " + partitions + " (delete it and restart)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException("kafka", "cannot describe topic " + topic + ": " + e, e);
        }
    }

    /** The partition count of an existing topic. */
    public static int partitionsOf(String bootstrapServers, KafkaClientProperties client, String topic) {
        try (Admin admin = Admin.create(adminProperties(bootstrapServers, client))) {
            return describe(admin, topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException("kafka", "cannot describe topic " + topic + " (run 'triage topics create'?): " + e, e);
        }
    }

    private static Properties adminProperties(String bootstrapServers, KafkaClientProperties client) {
        Properties p = new Properties();
        client.applyTo(p);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "triage-stream-admin");
        return p;
    }

    /**
     * A topic just created is known to the controller before every broker's metadata has it: a
     * describe in between answers UnknownTopicOrPartition. Seen on a loaded 2-core machine.
     */
    private static TopicDescription describe(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
