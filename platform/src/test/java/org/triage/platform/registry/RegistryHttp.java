package org.triage.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal raw HTTP client for the registry, so tests see exactly what goes over the wire. */
final class RegistryHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization; // null = no Authorization header

    RegistryHttp(String base) {
        this(base, null);
    }

    private RegistryHttp(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** The same registry, sending {@code Authorization: Basic base64(user:password)}. */
    RegistryHttp withBasicAuth(String user, String password) {
        return new RegistryHttp(base, "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    record Reply(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        int errorCode() {
            return json().path("error_code").asInt();
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    Reply post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply post(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** The request body Confluent expects for a schema. */
    static String schemaBody(String avsc) {
        return JSON.createObjectNode().put("schema", avsc).toString();
    }

    int register(String subject, String avsc) {
        Reply r = post("/subjects/" + subject + "/versions", schemaBody(avsc));
        if (r.status() != 200) {
            throw new AssertionError("register " + subject + " -> " + r.status() + " " + r.body());
        }
        return r.json().get("id").asInt();
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<String> r = http.send(b.header("Content-Type", SchemaRegistryServer.CONTENT_TYPE)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r.headers());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
