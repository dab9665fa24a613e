package org.triage.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client for the Confluent Schema Registry REST API (the subset the serdes and tools need).
 *
 * <p>Ids are immutable in a registry, so {@code id -> schema} and {@code (subject, schema) -> id}
 * are cached for the life of the client: after the first record a serde never calls the
 * registry again. "Latest version" answers can change and are cached only for
 * {@code latestTtl}. Transport errors and 5xx answers are retried with exponential backoff
 * (several comma-separated URLs are tried in turn); 4xx answers are final and surface
 * Confluent's {@code error_code} in a {@link SchemaRegistryException}.
 *
 * <p>Thread-safe: one client is meant to be shared by a serializer and deserializer pair.
 */
public final class SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> baseUrls;
    private final RegistryClientConfig config;
    private final HttpClient http;
    private final Duration latestTtl;

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> versionsBySubject = new ConcurrentHashMap<>();
    private final Map<String, TimedMetadata> latestBySubject = new ConcurrentHashMap<>();
    private final AtomicLong httpRequests = new AtomicLong();
    private volatile int preferredUrl;

    private record TimedMetadata(SchemaMetadata metadata, long fetchedAtNanos) {
    }

    public SchemaRegistryClient(String urls) {
        this(urls, RegistryClientConfig.defaults());
    }

    public SchemaRegistryClient(String urls, RegistryClientConfig config) {
        this(urls, config, Duration.ofSeconds(60));
    }

    /**
     * @param urls      one or more base URLs, comma-separated ({@code schema.registry.url})
     * @param latestTtl how long a "latest version" answer may be reused
     */
    public SchemaRegistryClient(String urls, RegistryClientConfig config, Duration latestTtl) {
        Objects.requireNonNull(urls, "schema.registry.url");
        List<String> parsed = new ArrayList<>();
        for (String u : urls.split(",")) {
            String trimmed = u.trim();
            while (trimmed.endsWith("/")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            if (!trimmed.isEmpty()) {
                if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
                    throw new IllegalArgumentException("schema.registry.url must start with http:// or https://, got '" + redactUserInfo(trimmed) + "'");
                }
                // Credentials in the URL (basic.auth.credentials.source=URL) go in the header, never on the wire as part of the URL or into logs.
                parsed.add(redactUserInfo(trimmed).replace("***@", ""));
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("schema.registry.url is empty");
        }
        this.baseUrls = List.copyOf(parsed);
        this.config = config;
        this.latestTtl = latestTtl;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).version(HttpClient.Version.HTTP_1_1);
        if (config.trustStore() != null) {
            http.sslContext(config.trustStore().sslContext());
        }
        this.http = http.build();
    }

    /** The configured URL(s), as given, for error messages. */
    public String url() {
        return String.join(",", baseUrls);
    }

    /** HTTP requests sent so far, retries included (lets tests and metrics see the caches work). */
    public long httpRequestCount() {
        return httpRequests.get();
    }

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(answer, "id");
        remember(subject, schema, id);
        return id;
    }

    /** Finds the id and version of {@code schema} under {@code subject}; 404 (40401/40403) when absent. */
    public SchemaMetadata lookup(String subject, Schema schema) {
        Integer id = cachedId(subject, schema);
        Integer version = versionsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (id != null && version != null) {
            return new SchemaMetadata(subject, id, version, schema);
        }
        JsonNode answer = send("POST", "/subjects/" + enc(subject), schemaBody(schema));
        SchemaMetadata found = new SchemaMetadata(subject, requiredInt(answer, "id"), requiredInt(answer, "version"), schema);
        remember(subject, schema, found.id());
        versionsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, found.version());
        return found;
    }

    /** The schema with global id {@code id}; 404 (40403) when the registry does not know it. */
    public Schema getSchemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(requiredText(answer, "schema"), "schema id " + id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** The newest version of {@code subject}, reused for the client's latest-TTL. */
    public SchemaMetadata getLatest(String subject) {
        TimedMetadata t = latestBySubject.get(subject);
        if (t != null && System.nanoTime() - t.fetchedAtNanos < latestTtl.toNanos()) {
            return t.metadata;
        }
        SchemaMetadata m = getVersion(subject, "latest");
        latestBySubject.put(subject, new TimedMetadata(m, System.nanoTime()));
        return m;
    }

    /** Version {@code version} of {@code subject}. */
    public SchemaMetadata getVersion(String subject, int version) {
        return getVersion(subject, Integer.toString(version));
    }

    private SchemaMetadata getVersion(String subject, String version) {
        JsonNode answer = send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null);
        int id = requiredInt(answer, "id");
        Schema schema = schemasById.computeIfAbsent(id, i -> parse(requiredText(answer, "schema"), "schema id " + i));
        return new SchemaMetadata(subject, id, requiredInt(answer, "version"), schema);
    }

    /** Version numbers registered under {@code subject}, ascending. */
    public List<Integer> getVersions(String subject) {
        JsonNode answer = send("GET", "/subjects/" + enc(subject) + "/versions", null);
        List<Integer> versions = new ArrayList<>();
        answer.forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    /** All subjects. */
    public List<String> getSubjects() {
        JsonNode answer = send("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        answer.forEach(v -> subjects.add(v.asText()));
        return subjects;
    }

    /**
     * Whether {@code schema} may be registered under {@code subject} given its compatibility
     * level, tested against the latest version. A subject with no versions yet is compatible.
     */
    public boolean testCompatibility(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", schemaBody(schema));
            return answer.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Compatibility level of {@code subject}, or the global level when {@code subject} is null.
     * A subject with no level of its own answers 404/40408 from Confluent; then the global level applies.
     */
    public String getCompatibility(String subject) {
        if (subject != null) {
            try {
                return compatibilityOf(send("GET", "/config/" + enc(subject), null));
            } catch (SchemaRegistryException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        return compatibilityOf(send("GET", "/config", null));
    }

    /** Sets the compatibility level of {@code subject} (global when null); returns the level now in force. */
    public String setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        JsonNode answer = send("PUT", subject == null ? "/config" : "/config/" + enc(subject), body.toString());
        return compatibilityOf(answer);
    }

    private static String compatibilityOf(JsonNode answer) {
        JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null) {
            throw new SchemaRegistryException(200, 50001, "registry answered a config without a compatibility level: " + answer);
        }
        return level.asText();
    }

    private Integer cachedId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private void remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
    }

    private static String schemaBody(Schema schema) {
        // schemaType is omitted: AVRO is the default and older registries reject the field.
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(200, SchemaRegistryException.INVALID_SCHEMA,
                    "registry returned an unparsable Avro schema for " + what + ": " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode n = answer.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new SchemaRegistryException(200, 50001, "registry answer lacks integer field '" + field + "': " + abbreviate(answer.toString()));
        }
        return n.asInt();
    }

    private static String requiredText(JsonNode answer, String field) {
        JsonNode n = answer.get(field);
        if (n == null || !n.isTextual()) {
            throw new SchemaRegistryException(200, 50001, "registry answer lacks text field '" + field + "': " + abbreviate(answer.toString()));
        }
        return n.asText();
    }

    private static String enc(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sends one request, retrying transport errors and 5xx with backoff; returns the parsed JSON body. */
    private JsonNode send(String method, String path, String body) {
        SchemaRegistryException last = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleep(config.backoff(attempt), last);
            }
            int urlIndex = (preferredUrl + attempt) % baseUrls.size();
            String base = baseUrls.get(urlIndex);
            try {
                JsonNode answer = sendOnce(base, method, path, body);
                preferredUrl = urlIndex;
                return answer;
            } catch (SchemaRegistryException e) {
                if (!e.isRetryable()) {
                    throw e;
                }
                last = e;
                log.warn("schema registry {} {} {} failed (attempt {}/{}): {}", method, base, path, attempt + 1,
                        config.maxRetries() + 1, e.getMessage());
            }
        }
        throw new SchemaRegistryException(last.httpStatus(), last.errorCode(),
                last.getMessage() + " (gave up after " + (config.maxRetries() + 1) + " attempts)", last);
    }

    private JsonNode sendOnce(String base, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json;q=0.9")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (config.basicAuthUserInfo() != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response;
        httpRequests.incrementAndGet();
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (javax.net.ssl.SSLException e) {
            throw new SchemaRegistryException(SchemaRegistryException.TLS_FAILURE, -1, "schema registry " + base
                    + ": TLS handshake failed, the server's certificate is not trusted or does not name this host ("
                    + (config.trustStore() == null ? "set schema.registry.ssl.truststore.location to a trust store holding its CA"
                    : "check " + config.trustStore().location() + " holds its CA") + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SchemaRegistryException(-1, -1, "schema registry " + base + " unreachable for " + method + " " + path + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(-1, -1, "interrupted while calling schema registry " + base + path, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new SchemaRegistryException(status, 50001, "schema registry " + base + " answered " + method + " " + path
                        + " with a body that is not JSON: " + abbreviate(response.body()), e);
            }
        }
        throw error(base, method, path, status, response.body());
    }

    private SchemaRegistryException error(String base, String method, String path, int status, String body) {
        if (status == 401 || status == 403) {
            String what = config.basicAuthUserInfo() == null
                    ? "no credentials were sent: set basic.auth.user.info (schema.registry.basic.auth.user.info in --kafka-config, or --schema-registry-user-info)"
                    : "user '" + config.basicAuthUserInfo().split(":", 2)[0] + "' was " + (status == 401 ? "not accepted: check the password in basic.auth.user.info" : "refused this request");
            return new SchemaRegistryException(status, status, "schema registry " + base + " answered " + status
                    + (status == 401 ? " Unauthorized" : " Forbidden") + " to " + method + " " + path + ": " + what);
        }
        int code = status;
        String message = abbreviate(body == null ? "" : body);
        try {
            JsonNode err = JSON.readTree(body);
            if (err != null && err.has("error_code")) {
                code = err.get("error_code").asInt(status);
                message = err.path("message").asText(message);
            }
        } catch (IOException notJson) {
            // Proxies answer HTML: keep the status and the start of the body.
        }
        return new SchemaRegistryException(status, code, "schema registry " + base + " answered " + status
                + " (error_code " + code + ") to " + method + " " + path + ": " + message);
    }

    private static void sleep(Duration d, SchemaRegistryException cause) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(-1, -1, "interrupted while waiting to retry: " + cause.getMessage(), cause);
        }
    }

    /** {@code https://user:pass@host} -> {@code https://***@host}. */
    private static String redactUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = url.indexOf('/', scheme + 3);
        if (scheme < 0 || at < 0 || (slash >= 0 && at > slash)) {
            return url;
        }
        return url.substring(0, scheme + 3) + "***" + url.substring(at);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient" + Arrays.toString(baseUrls.toArray());
    }
}
