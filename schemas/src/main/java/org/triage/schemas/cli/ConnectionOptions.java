package org.triage.schemas.cli;

import java.nio.file.Path;
import java.util.Map;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.registry.RegistryClientConfig;
import picocli.CommandLine.Option;

/**
 * Connection flags shared by every command that talks to Kafka and the schema registry.
 * Defaults point at a running {@code triage local-stack} on its default ports, so that a
 * developer needs no flags at all; production sets the environment variables.
 */
public final class ConnectionOptions {
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final String DEFAULT_REGISTRY = "http://127.0.0.1:8081";
    public static final String ENV_REGISTRY_USER_INFO = "TRIAGE_SCHEMA_REGISTRY_USER_INFO";

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env TRIAGE_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:TRIAGE_BOOTSTRAP_SERVERS:-" + DEFAULT_BOOTSTRAP + "}")
    public String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (env TRIAGE_SCHEMA_REGISTRY_URL; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:TRIAGE_SCHEMA_REGISTRY_URL:-" + DEFAULT_REGISTRY + "}")
    public String schemaRegistryUrl;

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:" + KafkaClientProperties.ENV_FILE + "}",
            description = {"Java properties file of Kafka client settings added to every producer, consumer, admin and Streams client",
                    "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...; schema.registry.* keys",
                    "configure the registry client). Env " + KafkaClientProperties.ENV_FILE + "; variables TRIAGE_KAFKA_<NAME> add",
                    "or override single settings (TRIAGE_KAFKA_SASL_MECHANISM=PLAIN)."})
    public Path kafkaConfig;

    // Prefer the variable or the file: a flag's value is visible to other users in the process list.
    @Option(names = "--schema-registry-user-info", paramLabel = "USER:PASSWORD", defaultValue = "${env:" + ENV_REGISTRY_USER_INFO + "}",
            description = "Basic-auth credentials for the schema registry (env " + ENV_REGISTRY_USER_INFO
                    + "; or schema.registry.basic.auth.user.info in --kafka-config).")
    public String schemaRegistryUserInfo;

    private KafkaClientProperties loaded;

    /**
     * The extra client settings from --kafka-config and the TRIAGE_KAFKA_* environment, loaded once.
     *
     * @throws org.triage.schemas.kafka.KafkaConfigException with a one-line message when the file cannot be used
     */
    public synchronized KafkaClientProperties clientProperties() {
        if (loaded == null) {
            String flag = kafkaConfig != null && kafkaConfig.toString().equals(System.getenv(KafkaClientProperties.ENV_FILE))
                    ? KafkaClientProperties.ENV_FILE : "--kafka-config";
            KafkaClientProperties p = KafkaClientProperties.load(kafkaConfig, flag, System.getenv());
            if (schemaRegistryUserInfo != null && !schemaRegistryUserInfo.isBlank()) {
                p = p.withRegistrySetting(KafkaClientProperties.REGISTRY_PREFIX + RegistryClientConfig.BASIC_AUTH_USER_INFO,
                        schemaRegistryUserInfo.trim());
            }
            loaded = p;
        }
        return loaded;
    }

    /** The Avro serde config: the registry URL plus the registry's credentials and trust store. */
    public Map<String, Object> serdeConfig() {
        return clientProperties().serdeConfig(schemaRegistryUrl);
    }
}
