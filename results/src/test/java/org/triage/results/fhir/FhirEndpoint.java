package org.triage.results.fhir;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A FHIR server stand-in on 127.0.0.1: records each POSTed body; the first {@code refuseFirst} get a 503. */
public final class FhirEndpoint implements AutoCloseable {
    /** What arrived: content type and body. */
    public record Post(String contentType, String body) {
    }

    private final HttpServer server;
    private final List<Post> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusalsLeft;

    public FhirEndpoint(int refuseFirst) throws IOException {
        refusalsLeft = new AtomicInteger(refuseFirst);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fhir", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!"POST".equals(ex.getRequestMethod()) || refusalsLeft.getAndDecrement() > 0) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                accepted.add(new Post(ex.getRequestHeaders().getFirst("Content-Type"), body));
                byte[] reply = "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", FhirTarget.CONTENT_TYPE);
                ex.sendResponseHeaders(200, reply.length);
                ex.getResponseBody().write(reply);
            }
        });
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fhir");
    }

    public List<Post> accepted() {
        return accepted;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
