package org.triage.schemas.registry;

import java.time.Duration;
import java.util.Map;

/**
 * Tuning of {@link SchemaRegistryClient}. Keys follow Confluent's client where it has one
 * ({@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms},
 * {@code basic.auth.user.info}, {@code basic.auth.credentials.source}, {@code schema.registry.ssl.truststore.*}),
 * so the same config map configures either client. The credentials are also read under the
 * {@code schema.registry.} prefix ({@code schema.registry.basic.auth.user.info}), the spelling a
 * Kafka client file shared with Confluent tools uses.
 *
 * @param maxRetries     retries after the first attempt on 5xx / connection errors (never on 4xx)
 * @param initialBackoff wait before the first retry; doubles each retry
 * @param maxBackoff     cap on a single wait
 * @param requestTimeout per HTTP request
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
 * @param trustStore     trust store for an https registry, or null for the JDK's default CAs
 */
public record RegistryClientConfig(int maxRetries, Duration initialBackoff, Duration maxBackoff,
                                   Duration requestTimeout, String basicAuthUserInfo, RegistryTrustStore trustStore) {
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** USER_INFO (the default: {@link #BASIC_AUTH_USER_INFO}) or URL (the user info of the registry URL). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    private static final String PREFIX = "schema.registry.";

    public RegistryClientConfig {
        if (maxRetries < 0) {
            throw new IllegalArgumentException(MAX_RETRIES + " must be >= 0, got " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("registry client durations must be positive");
        }
    }

    public RegistryClientConfig(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
                                String basicAuthUserInfo) {
        this(maxRetries, initialBackoff, maxBackoff, requestTimeout, basicAuthUserInfo, null);
    }

    /** Defaults: 3 retries, 200 ms doubling to at most 5 s, 30 s per request. */
    public static RegistryClientConfig defaults() {
        return new RegistryClientConfig(3, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30), null, null);
    }

    /** Reads the keys above from a Kafka-style config map; absent keys keep their defaults. */
    public static RegistryClientConfig from(Map<String, ?> configs) {
        RegistryClientConfig d = defaults();
        return new RegistryClientConfig(
                intValue(configs, MAX_RETRIES, d.maxRetries),
                Duration.ofMillis(longValue(configs, RETRIES_WAIT_MS, d.initialBackoff.toMillis())),
                Duration.ofMillis(longValue(configs, RETRIES_MAX_WAIT_MS, d.maxBackoff.toMillis())),
                Duration.ofMillis(longValue(configs, REQUEST_TIMEOUT_MS, d.requestTimeout.toMillis())),
                userInfo(configs), trustStore(configs));
    }

    private static String userInfo(Map<String, ?> configs) {
        String source = text(configs, BASIC_AUTH_CREDENTIALS_SOURCE);
        String info = text(configs, BASIC_AUTH_USER_INFO);
        if (source == null || source.equalsIgnoreCase("USER_INFO")) {
            if (info != null && !info.contains(":")) {
                throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be user:password (the value has no ':')");
            }
            return info;
        }
        if (source.equalsIgnoreCase("URL")) {
            // Confluent's URL source: credentials written into the URL, https://user:pass@host:port.
            Object url = configs.get("schema.registry.url");
            String first = url == null ? "" : url.toString().split(",")[0].trim();
            String userInfo = java.net.URI.create(first).getRawUserInfo();
            if (userInfo == null) {
                throw new IllegalArgumentException(BASIC_AUTH_CREDENTIALS_SOURCE + "=URL but schema.registry.url has no user:password@");
            }
            return java.net.URLDecoder.decode(userInfo, java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(BASIC_AUTH_CREDENTIALS_SOURCE + "=" + source + " is not supported; use USER_INFO or URL");
    }

    private static RegistryTrustStore trustStore(Map<String, ?> configs) {
        Object location = configs.get(RegistryTrustStore.LOCATION);
        if (location == null || location.toString().isBlank()) {
            return null;
        }
        Object password = configs.get(RegistryTrustStore.PASSWORD);
        Object type = configs.get(RegistryTrustStore.TYPE);
        return new RegistryTrustStore(java.nio.file.Path.of(location.toString().trim()), password == null ? null : password.toString(),
                type == null ? null : type.toString());
    }

    /** The value of {@code key}, or of {@code schema.registry.<key>}, or null. */
    private static String text(Map<String, ?> configs, String key) {
        Object v = configs.get(PREFIX + key);
        if (v == null) {
            v = configs.get(key);
        }
        return v == null || v.toString().isBlank() ? null : v.toString().trim();
    }

    /** A copy with these basic-auth credentials ({@code user:password}). */
    public RegistryClientConfig withUserInfo(String userInfo) {
        return new RegistryClientConfig(maxRetries, initialBackoff, maxBackoff, requestTimeout, userInfo, trustStore);
    }

    /** A copy verifying an https registry against {@code store}. */
    public RegistryClientConfig withTrustStore(RegistryTrustStore store) {
        return new RegistryClientConfig(maxRetries, initialBackoff, maxBackoff, requestTimeout, basicAuthUserInfo, store);
    }

    public RegistryClientConfig withRetries(int retries, Duration initial, Duration max) {
        return new RegistryClientConfig(retries, initial, max, requestTimeout, basicAuthUserInfo, trustStore);
    }

    /** Wait before retry number {@code retry} (1-based): initial * 2^(retry-1), capped. */
    Duration backoff(int retry) {
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < retry && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }

    private static int intValue(Map<String, ?> configs, String key, int fallback) {
        return (int) longValue(configs, key, fallback);
    }

    private static long longValue(Map<String, ?> configs, String key, long fallback) {
        Object v = configs.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config " + key + " must be a number, got '" + v + "'", e);
        }
    }

    /** Never the credentials. */
    @Override
    public String toString() {
        return "RegistryClientConfig[maxRetries=" + maxRetries + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", requestTimeout=" + requestTimeout + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : "set")
                + ", trustStore=" + trustStore + "]";
    }
}
