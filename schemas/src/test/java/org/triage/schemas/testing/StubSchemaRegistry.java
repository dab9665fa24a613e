package org.triage.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * Test fixture: the few Confluent Schema Registry endpoints the schemas module calls, over real
 * HTTP on 127.0.0.1 and an ephemeral port. In memory, BACKWARD compatibility only. The real
 * server (Kafka-backed, all modes) is platform's; this one exists because platform depends on
 * this module. It can fail the next N requests with a status, to test retries.
 */
public final class StubSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CT = "application/vnd.schemaregistry.v1+json";
    private static final Pattern SUBJECT_VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT_VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern SCHEMA_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern COMPAT = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");
    private static final Pattern CONFIG = Pattern.compile("/config(?:/([^/]+))?");

    private final HttpServer server;
    private final List<String> schemas = new ArrayList<>();              // index = id - 1
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>(); // subject -> ids by version
    private final Map<String, String> levels = new LinkedHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;

    public StubSchemaRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** "METHOD path" of every request received, in order. */
    public List<String> requests() {
        return requests;
    }

    /** Answer the next {@code count} requests with {@code status} and a Confluent error body. */
    public void failNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
    }

    /** Registers directly (bypassing HTTP), as another producer would have. */
    public synchronized int register(String subject, Schema schema) {
        return registerCanonical(subject, schema.toString());
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        requests.add(method + " " + path);
        try (ex) {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(ex, failureStatus, failureStatus * 100 + 1, "injected failure");
                return;
            }
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            route(ex, method, path, body);
        } catch (RuntimeException e) {
            error(ex, 500, 50001, "stub error: " + e);
        }
    }

    private void route(HttpExchange ex, String method, String path, String body) throws IOException {
        Matcher m;
        if ((m = SCHEMA_ID.matcher(path)).matches() && method.equals("GET")) {
            int id = Integer.parseInt(m.group(1));
            if (id < 1 || id > schemas.size()) {
                error(ex, 404, 40403, "Schema " + id + " not found");
            } else {
                reply(ex, 200, JSON.createObjectNode().put("schema", schemas.get(id - 1)));
            }
        } else if ((m = SUBJECT_VERSIONS.matcher(path)).matches() && method.equals("POST")) {
            String subject = dec(m.group(1));
            Schema schema = parse(ex, body);
            if (schema == null) {
                return;
            }
            List<Integer> ids = subjects.get(subject);
            if (ids != null && !ids.isEmpty() && !ids.contains(idOf(schema.toString()))) {
                Schema latest = new Schema.Parser().parse(schemas.get(ids.get(ids.size() - 1) - 1));
                if (!"NONE".equals(levels.get(subject)) && SchemaCompatibility.checkReaderWriterCompatibility(schema, latest).getType()
                        != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    error(ex, 409, 40901, "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\"");
                    return;
                }
            }
            reply(ex, 200, JSON.createObjectNode().put("id", registerCanonical(subject, schema.toString())));
        } else if ((m = SUBJECT_VERSIONS.matcher(path)).matches() && method.equals("GET")) {
            List<Integer> ids = subjects.get(dec(m.group(1)));
            if (ids == null) {
                error(ex, 404, 40401, "Subject not found");
            } else {
                var arr = JSON.createArrayNode();
                for (int v = 1; v <= ids.size(); v++) {
                    arr.add(v);
                }
                reply(ex, 200, arr);
            }
        } else if ((m = SUBJECT_VERSION.matcher(path)).matches() && method.equals("GET")) {
            String subject = dec(m.group(1));
            List<Integer> ids = subjects.get(subject);
            if (ids == null) {
                error(ex, 404, 40401, "Subject '" + subject + "' not found.");
                return;
            }
            int v = m.group(2).equals("latest") ? ids.size() : Integer.parseInt(m.group(2));
            if (v < 1 || v > ids.size()) {
                error(ex, 404, 40402, "Version " + v + " not found.");
                return;
            }
            reply(ex, 200, version(subject, v, ids.get(v - 1)));
        } else if ((m = SUBJECT.matcher(path)).matches() && method.equals("POST")) {
            String subject = dec(m.group(1));
            Schema schema = parse(ex, body);
            if (schema == null) {
                return;
            }
            List<Integer> ids = subjects.get(subject);
            int v = ids == null ? -1 : ids.indexOf(idOf(schema.toString())) + 1;
            if (ids == null) {
                error(ex, 404, 40401, "Subject '" + subject + "' not found.");
            } else if (v <= 0) {
                error(ex, 404, 40403, "Schema not found");
            } else {
                reply(ex, 200, version(subject, v, ids.get(v - 1)));
            }
        } else if (path.equals("/subjects") && method.equals("GET")) {
            var arr = JSON.createArrayNode();
            subjects.keySet().forEach(arr::add);
            reply(ex, 200, arr);
        } else if ((m = COMPAT.matcher(path)).matches() && method.equals("POST")) {
            List<Integer> ids = subjects.get(dec(m.group(1)));
            Schema schema = parse(ex, body);
            if (schema == null) {
                return;
            }
            if (ids == null) {
                error(ex, 404, 40401, "Subject not found");
                return;
            }
            Schema latest = new Schema.Parser().parse(schemas.get(ids.get(ids.size() - 1) - 1));
            boolean ok = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest).getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
            reply(ex, 200, JSON.createObjectNode().put("is_compatible", ok));
        } else if ((m = CONFIG.matcher(path)).matches()) {
            String subject = m.group(1) == null ? null : dec(m.group(1));
            if (method.equals("PUT")) {
                String level = JSON.readTree(body).path("compatibility").asText();
                levels.put(subject == null ? "" : subject, level);
                reply(ex, 200, JSON.createObjectNode().put("compatibility", level));
            } else if (subject != null && !levels.containsKey(subject)) {
                error(ex, 404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
            } else {
                reply(ex, 200, JSON.createObjectNode().put("compatibilityLevel", levels.getOrDefault(subject == null ? "" : subject, "BACKWARD")));
            }
        } else {
            error(ex, 404, 404, "HTTP 404 Not Found");
        }
    }

    private ObjectNode version(String subject, int v, int id) {
        return JSON.createObjectNode().put("subject", subject).put("version", v).put("id", id).put("schema", schemas.get(id - 1));
    }

    private int registerCanonical(String subject, String schema) {
        int id = idOf(schema);
        if (id < 0) {
            schemas.add(schema);
            id = schemas.size();
        }
        List<Integer> ids = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!ids.contains(id)) {
            ids.add(id);
        }
        return id;
    }

    private int idOf(String schema) {
        int i = schemas.indexOf(schema);
        return i < 0 ? -1 : i + 1;
    }

    private Schema parse(HttpExchange ex, String body) throws IOException {
        try {
            JsonNode node = JSON.readTree(body);
            return new Schema.Parser().parse(node.path("schema").asText());
        } catch (IOException | SchemaParseException e) {
            error(ex, 422, 42201, "Invalid schema: " + e.getMessage());
            return null;
        }
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void error(HttpExchange ex, int status, int code, String message) throws IOException {
        reply(ex, status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", CT);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
