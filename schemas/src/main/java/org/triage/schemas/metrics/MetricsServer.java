package org.triage.schemas.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} on a small JDK HTTP server, shared by every
 * service that exposes them (ingest, the stream). It knows nothing about metrics libraries: the caller supplies the
 * scrape text and the health problem. Binds 127.0.0.1 unless told otherwise.
 *
 * <p>/health answers 200 {@code {"status":"UP"}} while {@code health} returns null, else 503
 * {@code {"status":"DOWN","reason":"..."}}; the reason must carry no patient data.
 */
public final class MetricsServer implements AutoCloseable {
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param port   0 for an ephemeral port
     * @param scrape the Prometheus exposition text
     * @param health returns null when healthy, otherwise the reason (served with 503)
     */
    public MetricsServer(String bind, int port, Supplier<String> scrape, Supplier<String> health) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.createContext("/metrics", ex -> respond(ex, 200, PROMETHEUS_TEXT, scrape.get()));
        server.createContext("/health", ex -> {
            String problem;
            try {
                problem = health.get();
            } catch (RuntimeException e) {
                problem = "health check failed: " + e.getClass().getSimpleName();
            }
            respond(ex, problem == null ? 200 : 503, "application/json", healthJson(problem));
        });
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "triage-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** The /health body: {@code {"status":"UP"}} for null, else {@code {"status":"DOWN","reason":problem}}. */
    public static String healthJson(String problem) {
        ObjectNode n = JSON.createObjectNode();
        n.put("status", problem == null ? "UP" : "DOWN");
        if (problem != null) {
            n.put("reason", problem);
        }
        return n.toString();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
