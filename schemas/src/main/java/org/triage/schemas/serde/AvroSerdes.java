package org.triage.schemas.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * One-line wiring of the Avro serdes for producers, consumers and Kafka Streams.
 *
 * <pre>{@code
 * Serde<RadiographEvent> serde = AvroSerdes.specific(RadiographEvent.class, registryUrl, false);
 * new KafkaProducer<>(props, new StringSerializer(), serde.serializer());
 * builder.stream(Topics.RADIOGRAPHS, Consumed.with(Serdes.String(), serde));
 *
 * // or by class name, Confluent style:
 * props.putAll(AvroSerdes.config(registryUrl));
 * props.put(VALUE_SERIALIZER_CLASS_CONFIG, SpecificAvroSerializer.class);
 * }</pre>
 */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    /** The serde config for {@code registryUrl}: auto-registration on (mutable: add or override keys). */
    public static Map<String, Object> config(String registryUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        return config;
    }

    /** A configured serde for generated class {@code type}, subjects {@code <topic>-key} or {@code <topic>-value}. */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, String registryUrl, boolean isKey) {
        return specific(type, config(registryUrl), isKey);
    }

    /** As {@link #specific(Class, String, boolean)} with a full config map (retries, use.latest.version, ...). */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, Map<String, ?> configs, boolean isKey) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }

    /** A configured serde for generic records. */
    public static Serde<GenericRecord> generic(String registryUrl, boolean isKey) {
        return generic(config(registryUrl), isKey);
    }

    public static Serde<GenericRecord> generic(Map<String, ?> configs, boolean isKey) {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(configs, isKey);
        return serde;
    }
}
