package org.triage.labels;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.triage.schemas.kafka.KafkaClientProperties;

/** The cluster and registry a reader or writer talks to, with the operator's security settings. */
public record KafkaEndpoint(String bootstrapServers, String schemaRegistryUrl, KafkaClientProperties client) {
    public KafkaEndpoint {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(client, "client");
    }

    public static KafkaEndpoint of(String bootstrapServers, String schemaRegistryUrl) {
        return new KafkaEndpoint(bootstrapServers, schemaRegistryUrl, KafkaClientProperties.none());
    }

    /** Client settings plus bootstrap servers; callers add their own producer/consumer settings. */
    public Properties clientProperties() {
        Properties p = client.newProperties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** Configuration of the Confluent-wire Avro serdes (URL, credentials, trust store). */
    public Map<String, Object> serdeConfig() {
        return client.serdeConfig(schemaRegistryUrl);
    }
}
