package org.triage.schemas.registry;

import java.time.Duration;
import java.util.Map;

/**
 * Tuning of {@link SchemaRegistryClient}. Keys follow Confluent's client where it has one
 * ({@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms},
 * {@code basic.auth.user.info}), so the same config map configures either client.
 *
 * @param maxRetries     retries after the first attempt on 5xx / connection errors (never on 4xx)
 * @param initialBackoff wait before the first retry; doubles each retry
 * @param maxBackoff     cap on a single wait
 * @param requestTimeout per HTTP request
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
 */
public record RegistryClientConfig(int maxRetries, Duration initialBackoff, Duration maxBackoff,
                                   Duration requestTimeout, String basicAuthUserInfo) {
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

    public RegistryClientConfig {
        if (maxRetries < 0) {
            throw new IllegalArgumentException(MAX_RETRIES + " must be >= 0, got " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("registry client durations must be positive");
        }
    }

    /** Defaults: 3 retries, 200 ms doubling to at most 5 s, 30 s per request. */
    public static RegistryClientConfig defaults() {
        return new RegistryClientConfig(3, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30), null);
    }

    /** Reads the keys above from a Kafka-style config map; absent keys keep their defaults. */
    public static RegistryClientConfig from(Map<String, ?> configs) {
        RegistryClientConfig d = defaults();
        return new RegistryClientConfig(
                intValue(configs, MAX_RETRIES, d.maxRetries),
                Duration.ofMillis(longValue(configs, RETRIES_WAIT_MS, d.initialBackoff.toMillis())),
                Duration.ofMillis(longValue(configs, RETRIES_MAX_WAIT_MS, d.maxBackoff.toMillis())),
                Duration.ofMillis(longValue(configs, REQUEST_TIMEOUT_MS, d.requestTimeout.toMillis())),
                configs.get(BASIC_AUTH_USER_INFO) == null ? null : configs.get(BASIC_AUTH_USER_INFO).toString());
    }

    public RegistryClientConfig withRetries(int retries, Duration initial, Duration max) {
        return new RegistryClientConfig(retries, initial, max, requestTimeout, basicAuthUserInfo);
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
}
