package org.triage.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.triage.platform.PortInUseException;
import org.triage.platform.registry.RegistryService.Candidate;
import org.triage.platform.registry.RegistryState.StoredSchema;
import org.triage.platform.registry.RegistryState.Version;
import org.triage.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent Schema Registry REST API (the subset real serializers and
 * tools call), for AVRO schemas, with its state in a compacted Kafka topic.
 *
 * <p>Runs on the JDK's HTTP server; binds 127.0.0.1 unless told otherwise.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** Requests larger than this are refused with 413 before being read into memory. */
    public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    /** How much of an oversized body is read and discarded before the connection is simply closed. */
    private static final long DRAIN_LIMIT_BYTES = 64L * 1024 * 1024;

    private final HttpServer http;
    private final ExecutorService workers;
    private final RegistryService service;
    private final String host;
    private final Optional<BasicAuth> auth;

    private SchemaRegistryServer(HttpServer http, ExecutorService workers, RegistryService service, String host, Optional<BasicAuth> auth) {
        this.http = http;
        this.workers = workers;
        this.service = service;
        this.host = host;
        this.auth = auth;
    }

    /** A registry on 127.0.0.1:{@code port} (0 = any free port) backed by the {@code _schemas} topic. */
    public static SchemaRegistryServer start(String bootstrapServers, int port) throws IOException {
        return start(bootstrapServers, "127.0.0.1", port);
    }

    /** A registry on {@code bind:port} backed by the {@code _schemas} topic of {@code bootstrapServers}. */
    public static SchemaRegistryServer start(String bootstrapServers, String bind, int port) throws IOException {
        return start(bootstrapServers, bind, port, Optional.empty());
    }

    /** As {@link #start(String, String, int)}, answering only requests that carry credentials {@code auth} knows. */
    public static SchemaRegistryServer start(String bootstrapServers, String bind, int port, Optional<BasicAuth> auth) throws IOException {
        return start(new KafkaSchemaLog(bootstrapServers, Topics.SCHEMAS, Map.of(), Duration.ofSeconds(30)), bind, port, auth);
    }

    /**
     * Replays {@code schemaLog} and starts answering on {@code bind:port}.
     *
     * @throws PortInUseException when the port is taken
     */
    public static SchemaRegistryServer start(SchemaLog schemaLog, String bind, int port) throws IOException {
        return start(schemaLog, bind, port, Optional.empty());
    }

    /**
     * Replays {@code schemaLog} and starts answering on {@code bind:port}; with {@code auth}, every request
     * without known basic-auth credentials gets 401 (error code 40101).
     *
     * @throws PortInUseException when the port is taken
     */
    public static SchemaRegistryServer start(SchemaLog schemaLog, String bind, int port, Optional<BasicAuth> auth) throws IOException {
        RegistryService service = new RegistryService(schemaLog);
        try {
            service.start();
        } catch (RuntimeException e) {
            schemaLog.close();
            throw e;
        }
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        } catch (BindException e) {
            service.close();
            throw new PortInUseException(port, "--registry-port");
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "schema-registry-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SchemaRegistryServer server = new SchemaRegistryServer(http, workers, service, bind, auth);
        http.createContext("/", server::handle);
        http.setExecutor(workers);
        http.start();
        log.info("Schema registry listening on {}{}", server.url(), auth.map(a -> " (basic auth, " + a.users() + " user(s))").orElse(""));
        return server;
    }

    /** The log behind this instance (tests look at its counters). */
    SchemaLog schemaLog() {
        return service.schemaLog();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private static boolean isWildcard(String host) {
        try {
            return java.net.InetAddress.getByName(host).isAnyLocalAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The base URL clients use; a wildcard bind is reported as 127.0.0.1. */
    public String url() {
        String h = isWildcard(host) ? "127.0.0.1" : host;
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        return "http://" + h + ":" + port();
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.close();
    }

    // ---- HTTP ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Response r;
            try {
                r = authorized(ex) ? route(ex) : unauthorized(ex);
            } catch (RegistryException e) {
                r = error(e.status(), e.errorCode(), e.getMessage());
            } catch (BodyTooLarge e) {
                r = error(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            } catch (RuntimeException e) {
                log.warn("registry request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
                r = error(500, RegistryException.STORE_ERROR, "Internal error: " + e.getClass().getSimpleName());
            }
            byte[] body = r.body == null ? new byte[0] : RegistryState.JSON.writeValueAsBytes(r.body);
            ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (r.status == 413) {
                ex.getResponseHeaders().set("Connection", "close");
            }
            ex.sendResponseHeaders(r.status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
        }
    }

    private record Response(int status, JsonNode body) {
    }

    private boolean authorized(HttpExchange ex) {
        return auth.isEmpty() || auth.get().allows(ex.getRequestHeaders().getFirst("Authorization"));
    }

    /** What Confluent's registry answers without valid credentials; the body is its usual error JSON. */
    private static Response unauthorized(HttpExchange ex) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"schema-registry\", charset=\"UTF-8\"");
        boolean sent = ex.getRequestHeaders().getFirst("Authorization") != null;
        return error(401, RegistryException.UNAUTHORIZED, sent ? "Unauthorized: unknown user or wrong password"
                : "Unauthorized: this registry requires HTTP basic authentication");
    }

    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    private static Response ok(JsonNode body) {
        return new Response(200, body);
    }

    private static Response error(int status, int code, String message) {
        return new Response(status, RegistryState.JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    /** Paths Confluent does not serve either (or newer clients probe): the same plain 404 it gives. */
    private static Response notFound() {
        return error(404, 404, "HTTP 404 Not Found");
    }

    private static Response methodNotAllowed() {
        return error(405, 405, "HTTP 405 Method Not Allowed");
    }

    private Response route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        List<String> p = segments(ex.getRequestURI().getRawPath());
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int n = p.size();
        if (n == 0) {
            return is(method, "GET") ? ok(obj()) : methodNotAllowed();
        }
        switch (p.get(0)) {
            case "subjects":
                return subjects(ex, method, p, q);
            case "schemas":
                return schemas(method, p, q);
            case "config":
                return config(ex, method, p, q);
            case "compatibility":
                if (n >= 4 && n <= 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
                    if (!is(method, "POST")) {
                        return methodNotAllowed();
                    }
                    Candidate c = candidate(readJson(ex));
                    List<String> problems = service.testCompatibility(p.get(2), n == 5 ? p.get(4) : null, c);
                    ObjectNode out = obj().put("is_compatible", problems.isEmpty());
                    if (bool(q, "verbose")) {
                        ArrayNode messages = out.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return ok(out);
                }
                return notFound();
            case "mode":
                return n == 1 && is(method, "GET") ? ok(obj().put("mode", "READWRITE")) : notFound();
            default:
                return notFound();
        }
    }

    private Response subjects(HttpExchange ex, String method, List<String> p, Map<String, String> q) throws IOException {
        int n = p.size();
        boolean deleted = bool(q, "deleted");
        if (n == 1) {
            if (!is(method, "GET")) {
                return methodNotAllowed();
            }
            ArrayNode out = RegistryState.JSON.createArrayNode();
            service.subjects(deleted).forEach(out::add);
            return ok(out);
        }
        String subject = p.get(1);
        if (n == 2) {
            if (is(method, "POST")) {
                Version v = service.lookup(subject, candidate(readJson(ex)), deleted);
                return ok(versionJson(v));
            }
            if (is(method, "DELETE")) {
                ArrayNode out = RegistryState.JSON.createArrayNode();
                service.deleteSubject(subject, bool(q, "permanent")).forEach(out::add);
                return ok(out);
            }
            return methodNotAllowed();
        }
        if (!p.get(2).equals("versions")) {
            return notFound();
        }
        if (n == 3) {
            if (is(method, "GET")) {
                ArrayNode out = RegistryState.JSON.createArrayNode();
                service.versions(subject, deleted).forEach(out::add);
                return ok(out);
            }
            if (is(method, "POST")) {
                int id = service.register(subject, candidate(readJson(ex)));
                return ok(obj().put("id", id));
            }
            return methodNotAllowed();
        }
        String version = p.get(3);
        if (n == 4) {
            if (is(method, "GET")) {
                return ok(versionJson(service.resolve(subject, version, deleted)));
            }
            if (is(method, "DELETE")) {
                return ok(RegistryState.JSON.getNodeFactory().numberNode(service.deleteVersion(subject, version, bool(q, "permanent"))));
            }
            return methodNotAllowed();
        }
        if (n == 5 && is(method, "GET")) {
            if (p.get(4).equals("schema")) {
                Version v = service.resolve(subject, version, deleted);
                return ok(RegistryState.JSON.readTree(service.schemaById(v.id()).canonical()));
            }
            if (p.get(4).equals("referencedby")) {
                service.resolve(subject, version, deleted);
                return ok(RegistryState.JSON.createArrayNode()); // references are not supported, so nothing refers
            }
        }
        return notFound();
    }

    private Response schemas(String method, List<String> p, Map<String, String> q) throws IOException {
        int n = p.size();
        if (n == 2 && p.get(1).equals("types")) {
            return is(method, "GET") ? ok(RegistryState.JSON.createArrayNode().add("AVRO")) : methodNotAllowed();
        }
        if (n < 3 || n > 4 || !p.get(1).equals("ids")) {
            return notFound();
        }
        if (!is(method, "GET")) {
            return methodNotAllowed();
        }
        int id;
        try {
            id = Integer.parseInt(p.get(2));
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound("Schema " + p.get(2) + " not found");
        }
        StoredSchema s = service.schemaById(id);
        if (n == 3) {
            // ?subject= only selects a context in Confluent; with the single default context the id decides.
            return ok(obj().put("schema", s.canonical()));
        }
        switch (p.get(3)) {
            case "schema":
                return ok(RegistryState.JSON.readTree(s.canonical()));
            case "versions": {
                ArrayNode out = RegistryState.JSON.createArrayNode();
                service.usesOf(id).forEach(v -> out.addObject().put("subject", v.subject()).put("version", v.version()));
                return ok(out);
            }
            case "subjects": {
                ArrayNode out = RegistryState.JSON.createArrayNode();
                service.usesOf(id).stream().map(Version::subject).distinct().forEach(out::add);
                return ok(out);
            }
            default:
                return notFound();
        }
    }

    private Response config(HttpExchange ex, String method, List<String> p, Map<String, String> q) throws IOException {
        int n = p.size();
        if (n > 2) {
            return notFound();
        }
        String subject = n == 2 ? p.get(1) : null;
        if (is(method, "GET")) {
            if (subject == null) {
                return ok(obj().put("compatibilityLevel", service.globalLevel().name()));
            }
            CompatibilityLevel level = service.subjectLevel(subject);
            if (level == null && bool(q, "defaultToGlobal")) {
                level = service.globalLevel();
            }
            if (level == null) {
                // The kafkajs client reads this 404 as "no level of its own yet" and then sets one.
                throw new RegistryException(404, RegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                        "Subject '" + subject + "' does not have subject-level compatibility configured");
            }
            return ok(obj().put("compatibilityLevel", level.name()));
        }
        if (is(method, "PUT")) {
            JsonNode body = readJson(ex);
            JsonNode text = body.has("compatibility") ? body.get("compatibility") : body.get("compatibilityLevel");
            CompatibilityLevel level = CompatibilityLevel.parse(text == null || !text.isTextual() ? null : text.asText());
            service.setLevel(subject, level);
            return ok(obj().put("compatibility", level.name()));
        }
        if (is(method, "DELETE")) {
            CompatibilityLevel old = subject == null ? service.resetGlobalLevel() : service.deleteSubjectLevel(subject);
            return ok(obj().put("compatibilityLevel", old.name()));
        }
        return methodNotAllowed();
    }

    // ---- helpers ----

    private ObjectNode versionJson(Version v) {
        StoredSchema s = service.schemaById(v.id());
        return obj().put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", s.canonical());
    }

    private static Candidate candidate(JsonNode body) {
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw RegistryException.invalidSchema("Invalid schema: schemaType " + type.asText()
                    + " is not supported by this registry; only AVRO is");
        }
        JsonNode refs = body.get("references");
        if (refs != null && refs.isArray() && refs.size() > 0) {
            throw RegistryException.invalidSchema("Invalid schema: schema references are not supported by this registry");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryException.invalidSchema("Invalid schema: the request body needs a \"schema\" string");
        }
        return RegistryService.parse(schema.asText());
    }

    private static JsonNode readJson(HttpExchange ex) {
        byte[] bytes = readBody(ex);
        try {
            JsonNode n = RegistryState.JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw RegistryException.invalidSchema("Invalid request: the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw RegistryException.invalidSchema("Invalid request: malformed JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw RegistryException.invalidSchema("Invalid request: unreadable body (" + e.getMessage() + ")");
        }
    }

    private static byte[] readBody(HttpExchange ex) {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = ex.getRequestBody()) {
            if (declared != null) {
                try {
                    if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
                        throw tooLarge(in);
                    }
                } catch (NumberFormatException ignored) {
                    // the bounded read below still protects us
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int total = 0;
            for (int r; (r = in.read(buf)) != -1; ) {
                total += r;
                if (total > MAX_BODY_BYTES) {
                    throw tooLarge(in);
                }
                out.write(buf, 0, r);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw RegistryException.invalidSchema("Invalid request: could not read the body (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads and discards what the client is still sending (up to a bound) so that it receives our 413 instead
     * of a connection reset; nothing is kept in memory.
     */
    private static BodyTooLarge tooLarge(InputStream in) throws IOException {
        byte[] sink = new byte[65536];
        long drained = 0;
        for (int r; drained < DRAIN_LIMIT_BYTES && (r = in.read(sink)) != -1; ) {
            drained += r;
        }
        return new BodyTooLarge();
    }

    private static ObjectNode obj() {
        return RegistryState.JSON.createObjectNode();
    }

    private static boolean is(String method, String expected) {
        return method.equals(expected);
    }

    private static boolean bool(Map<String, String> q, String name) {
        return "true".equalsIgnoreCase(q.get(name));
    }

    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath == null) {
            return out;
        }
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(percentDecode(s));
            }
        }
        return out;
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : percentDecode(pair.substring(eq + 1).replace('+', ' '));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    /** Percent-decoding without URLDecoder's '+' = space rule, which does not apply to path segments. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi * 16 + lo);
                    i += 3;
                    continue;
                }
            }
            int cp = s.codePointAt(i);
            byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            i += Character.charCount(cp);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
