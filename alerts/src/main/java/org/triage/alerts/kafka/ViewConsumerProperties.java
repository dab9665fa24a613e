package org.triage.alerts.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * How the service's in-memory views (alerts and actions, thumbnails) read their topics: committed
 * records only, from the beginning, no group and no commits (every instance builds its own view),
 * never creating a topic that is missing.
 */
public final class ViewConsumerProperties {
    private ViewConsumerProperties() {
    }

    public static Properties of(String bootstrapServers, KafkaClientProperties client, String clientId) {
        Properties props = client.newProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return props;
    }
}
