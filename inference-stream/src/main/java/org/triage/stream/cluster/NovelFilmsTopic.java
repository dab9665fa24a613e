package org.triage.stream.cluster;

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
import org.triage.stream.topology.InfrastructureException;

/**
 * Creates the clusterer's input topic before the stream starts (Streams creates only the topics
 * of its DSL; this one is ours). One partition, so one task orders every novel film; retention
 * beyond the clustering window, since the clusterer's state, not this topic, is what lasts.
 */
public final class NovelFilmsTopic {
    private NovelFilmsTopic() {
    }

    /**
     * @param replicationFactor empty: the broker's default (as Streams does for its own topics)
     */
    public static void ensure(String bootstrapServers, KafkaClientProperties client, ClusterSettings settings,
                              Optional<Short> replicationFactor) {
        Properties p = new Properties();
        client.applyTo(p);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "triage-novel-films-admin");
        long retention = settings.window().toMillis() + java.time.Duration.ofDays(1).toMillis();
        try (Admin admin = Admin.create(p)) {
            try {
                admin.createTopics(List.of(new NewTopic(settings.topic(), Optional.of(1), replicationFactor)
                        .configs(Map.of("retention.ms", Long.toString(retention))))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new InfrastructureException("kafka", "cannot create topic " + settings.topic() + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            TopicDescription d = describe(admin, settings.topic());
            if (d.partitions().size() != 1) {
                throw new IllegalStateException("topic " + settings.topic() + " has " + d.partitions().size()
                        + " partitions; the novelty clusterer needs exactly 1 (delete it, or disable clustering)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + settings.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException("kafka", "cannot describe topic " + settings.topic() + ": " + e, e);
        }
    }

    /**
     * A topic just created is known to the controller before every broker's metadata has it: a
     * describe in between answers UnknownTopicOrPartition. Seen on a loaded 2-core machine.
     */
    private static TopicDescription describe(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
