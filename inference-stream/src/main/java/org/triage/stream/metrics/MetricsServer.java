package org.triage.stream.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** /metrics (Prometheus text format) and /health on a small HTTP server, 127.0.0.1 unless told otherwise. */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    /**
     * @param health returns null when healthy, otherwise the reason (served with 503)
     */
    public MetricsServer(String bind, int port, StreamMetrics metrics, Supplier<String> health) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health", ex -> {
            String problem = health.get();
            if (problem == null) {
                respond(ex, 200, "application/json", "{\"status\":\"UP\"}");
            } else {
                respond(ex, 503, "application/json", "{\"status\":\"DOWN\",\"reason\":\"" + problem.replace("\"", "'") + "\"}");
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "triage-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
