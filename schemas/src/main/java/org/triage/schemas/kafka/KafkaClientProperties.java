package org.triage.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The Kafka client settings a deployment adds to every producer, consumer, admin and Kafka Streams
 * client (security.protocol, sasl.*, ssl.*, ...), and the schema registry settings that travel
 * with them under the {@code schema.registry.} prefix, as in Confluent's client files.
 *
 * <p>Sources, later ones winning: the properties file ({@code --kafka-config FILE} or env
 * {@code TRIAGE_KAFKA_CONFIG}), then environment variables {@code TRIAGE_KAFKA_<NAME>}
 * ({@code TRIAGE_KAFKA_SASL_MECHANISM} becomes {@code sasl.mechanism}; {@code __} stands for a
 * literal {@code _}). Settings the code itself makes (bootstrap servers from
 * {@code --bootstrap-servers}, serializers, acks, idempotence, group and transactional ids,
 * Kafka Streams' processing guarantee) win over both: the components rely on them for their
 * delivery guarantees, and a stray line in a shared file must not quietly weaken them.
 *
 * <p>Immutable and safe to share.
 */
public final class KafkaClientProperties {
    public static final String ENV_FILE = "TRIAGE_KAFKA_CONFIG";
    public static final String ENV_PREFIX = "TRIAGE_KAFKA_";
    /** Keys with this prefix configure the schema registry client, not Kafka. */
    public static final String REGISTRY_PREFIX = "schema.registry.";
    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of(), Map.of(), null);

    private final Map<String, String> kafka;
    private final Map<String, String> registry;
    private final String source;

    private KafkaClientProperties(Map<String, String> kafka, Map<String, String> registry, String source) {
        this.kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
        this.registry = Collections.unmodifiableMap(new TreeMap<>(registry));
        this.source = source;
    }

    /** No extra settings: plaintext, unauthenticated (the local stack). */
    public static KafkaClientProperties none() {
        return NONE;
    }

    /** Settings given directly (tests, embedding code); registry keys are split off as for a file. */
    public static KafkaClientProperties of(Map<String, ?> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        settings.forEach((k, v) -> all.put(k, String.valueOf(v)));
        return split(all, "code");
    }

    /**
     * Reads {@code file} (may be null) and the {@code TRIAGE_KAFKA_*} variables of {@code env}.
     *
     * @param flag how the user named the file, for messages ({@code --kafka-config})
     * @throws KafkaConfigException when the file is missing, unreadable or not a properties file
     */
    public static KafkaClientProperties load(Path file, String flag, Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>();
        String source = null;
        if (file != null) {
            all.putAll(readFile(file, flag));
            source = file.toString();
        }
        Map<String, String> fromEnv = fromEnvironment(env);
        if (!fromEnv.isEmpty()) {
            all.putAll(fromEnv);
            source = source == null ? ENV_PREFIX + "* environment variables" : source + " (and " + ENV_PREFIX + "* variables)";
        }
        return all.isEmpty() ? NONE : split(all, source);
    }

    /** {@code TRIAGE_KAFKA_SASL_MECHANISM=PLAIN} becomes {@code sasl.mechanism=PLAIN}; the file variable itself is skipped. */
    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !name.equals(ENV_FILE) && name.length() > ENV_PREFIX.length()) {
                out.put(propertyName(name.substring(ENV_PREFIX.length())), value);
            }
        });
        return out;
    }

    static String propertyName(String envSuffix) {
        // "__" is a literal underscore (Confluent's images use the same rule); single "_" a dot.
        return envSuffix.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    private static Map<String, String> readFile(Path file, String flag) {
        String hint = "; give a Java properties file with the Kafka client settings (security.protocol, sasl.mechanism, "
                + "sasl.jaas.config, ssl.truststore.location, ...)";
        if (!Files.exists(file)) {
            throw new KafkaConfigException(flag + " " + file + ": file not found" + hint);
        }
        if (Files.isDirectory(file)) {
            throw new KafkaConfigException(flag + " " + file + ": is a directory" + hint);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new KafkaConfigException(flag + " " + file + ": file not found" + hint, e);
        } catch (AccessDeniedException e) {
            throw new KafkaConfigException(flag + " " + file + ": cannot read it (permission denied)" + hint, e);
        } catch (IOException | IllegalArgumentException e) {
            throw new KafkaConfigException(flag + " " + file + ": cannot read it (" + e.getMessage() + ")" + hint, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k.trim(), p.getProperty(k).trim());
        }
        return out;
    }

    private static KafkaClientProperties split(Map<String, String> all, String source) {
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> registry = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            // basic.auth.* unprefixed is Confluent's older spelling of the registry credentials.
            if (k.startsWith(REGISTRY_PREFIX) || k.startsWith("basic.auth.")) {
                registry.put(k, v);
            } else {
                kafka.put(k, v);
            }
        });
        return new KafkaClientProperties(kafka, registry, source);
    }

    /** A copy with one registry setting added or replaced (the --schema-registry-user-info flag). */
    public KafkaClientProperties withRegistrySetting(String key, String value) {
        Map<String, String> r = new LinkedHashMap<>(registry);
        r.put(key, value);
        return new KafkaClientProperties(kafka, r, source == null ? "flags" : source);
    }

    /** The Kafka client settings (no registry keys). */
    public Map<String, String> kafka() {
        return kafka;
    }

    /** The registry settings, keys as given ({@code schema.registry.ssl.truststore.location}, {@code basic.auth.user.info}). */
    public Map<String, String> registry() {
        return registry;
    }

    public boolean isEmpty() {
        return kafka.isEmpty() && registry.isEmpty();
    }

    /** Adds every Kafka setting {@code target} does not already hold (the code's own settings win); returns target. */
    public <M extends Map<Object, Object>> M applyTo(M target) {
        kafka.forEach(target::putIfAbsent);
        return target;
    }

    /** As {@link #applyTo(Map)} for a {@code Map<String, Object>} config. */
    public Map<String, Object> applyToConfig(Map<String, Object> target) {
        kafka.forEach(target::putIfAbsent);
        return target;
    }

    /** A fresh, mutable Properties holding only these Kafka settings; put the code's own settings after. */
    public Properties newProperties() {
        Properties p = new Properties();
        p.putAll(kafka);
        return p;
    }

    /** The Avro serde config for {@code registryUrl}, with the registry settings (credentials, trust store) added. */
    public Map<String, Object> serdeConfig(String registryUrl) {
        Map<String, Object> c = AvroSerdes.config(registryUrl);
        c.putAll(registry);
        return c;
    }

    /** Where the settings came from (a file path, the environment), or null when there are none. */
    public String source() {
        return source;
    }

    /** The SASL user named in sasl.jaas.config ({@code username="..."}), or null. For messages only. */
    public String saslUser() {
        String jaas = kafka.get("sasl.jaas.config");
        if (jaas == null) {
            return null;
        }
        Matcher m = JAAS_USER.matcher(jaas);
        return m.find() ? m.group(1) : null;
    }

    /** Keys only: values may be secrets (sasl.jaas.config holds a password). */
    @Override
    public String toString() {
        return "KafkaClientProperties" + kafka.keySet() + " registry" + registry.keySet() + (source == null ? "" : " from " + source);
    }
}
