package org.triage.schemas.serde;

import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.triage.schemas.registry.RegistryClientConfig;
import org.triage.schemas.registry.SchemaRegistryClient;

/**
 * Serde settings, read from the producer / consumer / Streams config map under the names
 * Confluent's serdes use, so a config written for those works unchanged here.
 */
public final class AvroSerdeConfig {
    /** Base URL(s) of the registry, comma-separated. Required unless a client is passed in. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Register the record's schema on first use (default true). When false the schema must already be registered. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** Write with the subject's latest registered schema instead of the record's own (default false). */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Generic deserializer: return generated SpecificRecord classes where they exist (default false). */
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    /** Specific deserializer created by class name: the record class to read keys / values into. */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /** Subject naming: TopicNameStrategy (default), RecordNameStrategy, TopicRecordNameStrategy. */
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /** How long a use.latest.version lookup is reused, seconds (default 60). */
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    /** How records map to registry subjects. */
    public enum SubjectNameStrategy {
        /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic (the default). */
        TOPIC,
        /** The record's full name: one lineage per record type, across topics. */
        RECORD,
        /** {@code <topic>-<record full name>}. */
        TOPIC_RECORD;

        static SubjectNameStrategy parse(Object value, String key) {
            if (value == null) {
                return TOPIC;
            }
            String name = value instanceof Class<?> c ? c.getSimpleName() : value.toString();
            name = name.substring(name.lastIndexOf('.') + 1).trim();
            return switch (name) {
                case "TopicNameStrategy", "" -> TOPIC;
                case "RecordNameStrategy" -> RECORD;
                case "TopicRecordNameStrategy" -> TOPIC_RECORD;
                default -> throw new ConfigException(key, value,
                        "unsupported subject name strategy; use TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");
            };
        }
    }

    private final String registryUrl;
    private final boolean autoRegister;
    private final boolean useLatestVersion;
    private final boolean specificReader;
    private final SubjectNameStrategy strategy;
    private final String specificType;
    private final Duration latestTtl;
    private final RegistryClientConfig clientConfig;

    private AvroSerdeConfig(Map<String, ?> configs, boolean isKey) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        this.registryUrl = url == null ? null : url.toString();
        this.autoRegister = bool(configs, AUTO_REGISTER_SCHEMAS, true);
        this.useLatestVersion = bool(configs, USE_LATEST_VERSION, false);
        this.specificReader = bool(configs, SPECIFIC_AVRO_READER, false);
        String strategyKey = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
        this.strategy = SubjectNameStrategy.parse(configs.get(strategyKey), strategyKey);
        Object type = configs.get(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE);
        this.specificType = type == null ? null : type instanceof Class<?> c ? c.getName() : type.toString();
        Object ttl = configs.get(LATEST_CACHE_TTL_SEC);
        this.latestTtl = Duration.ofSeconds(ttl == null ? 60 : Long.parseLong(ttl.toString().trim()));
        this.clientConfig = RegistryClientConfig.from(configs);
    }

    public static AvroSerdeConfig from(Map<String, ?> configs, boolean isKey) {
        return new AvroSerdeConfig(configs, isKey);
    }

    /** A registry client for these settings; fails clearly when no URL is configured. */
    public SchemaRegistryClient newClient() {
        if (registryUrl == null || registryUrl.isBlank()) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL
                    + "\": the Avro serdes need the schema registry URL (e.g. http://127.0.0.1:8081)");
        }
        try {
            return new SchemaRegistryClient(registryUrl, clientConfig, latestTtl);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, registryUrl, e.getMessage());
        }
    }

    /** The registry subject a record with {@code schema} on {@code topic} is registered under. */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (strategy) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> schema.getFullName();
            case TOPIC_RECORD -> topic + "-" + schema.getFullName();
        };
    }

    public boolean autoRegister() {
        return autoRegister;
    }

    public boolean useLatestVersion() {
        return useLatestVersion;
    }

    public boolean specificReader() {
        return specificReader;
    }

    /** Class name from specific.avro.key.type / value.type, or null. */
    public String specificType() {
        return specificType;
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object v = configs.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, v, "expected true or false");
    }
}
