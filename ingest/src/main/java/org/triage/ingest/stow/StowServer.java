package org.triage.ingest.stow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.IngestResult;

/**
 * DICOMweb STOW-RS (PS3.18 10.5): {@code POST /studies[/{study}]} with multipart/related;
 * type="application/dicom". Answers application/dicom+json with ReferencedSOPSequence (0008,1199)
 * for stored instances and FailedSOPSequence (0008,1198) with FailureReason (0008,1197) for the rest;
 * 200 all stored, 202 some stored, 409 none stored, 400 malformed request, 415 wrong media type.
 */
public final class StowServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StowServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final IngestPipeline pipeline;
    private final long maxRequestBytes;
    private final StowAuth auth;

    private StowServer(HttpServer server, ExecutorService executor, IngestPipeline pipeline, long maxRequestBytes, StowAuth auth) {
        this.server = server;
        this.executor = executor;
        this.pipeline = pipeline;
        this.maxRequestBytes = maxRequestBytes;
        this.auth = auth;
    }

    public static StowServer start(InetAddress bind, int port, IngestPipeline pipeline, long maxRequestBytes, int threads) throws IOException {
        return start(bind, port, pipeline, maxRequestBytes, threads, StowAuth.none());
    }

    /** @param auth bearer tokens required on every request; {@link StowAuth#none()} accepts all */
    public static StowServer start(InetAddress bind, int port, IngestPipeline pipeline, long maxRequestBytes, int threads,
                                   StowAuth auth) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 32);
        ExecutorService ex = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stow-http");
            t.setDaemon(true);
            return t;
        });
        StowServer s = new StowServer(http, ex, pipeline, maxRequestBytes, auth);
        http.createContext("/studies", s::handle);
        http.setExecutor(ex);
        http.start();
        LOG.info("STOW-RS listening on http://{}:{}/studies", bind.getHostAddress(), s.port());
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        pipeline.metrics().stowInFlight(1);
        try {
            serve(ex);
        } finally {
            pipeline.metrics().stowInFlight(-1);
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            // Before anything else, the body included: an unauthenticated client must not get patient data parsed.
            String denied = auth.reject(ex.getRequestHeaders().getFirst("Authorization"));
            if (denied != null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"triage-stow\", error=\"invalid_token\", error_description=\""
                        + denied + "\"");
                LOG.warn("STOW-RS request from {} refused: {}", ex.getRemoteAddress().getAddress().getHostAddress(), denied);
                plain(ex, 401, denied);
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                plain(ex, 405, "only POST is supported here");
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (!path.matches("/studies(/[0-9.]{1,64})?/?")) {
                plain(ex, 404, "unknown resource");
                return;
            }
            String accept = ex.getRequestHeaders().getFirst("Accept");
            if (accept != null && !acceptable(accept)) {
                plain(ex, 406, "responses are application/dicom+json");
                return;
            }
            Map<String, String> ct = Multipart.parseContentType(ex.getRequestHeaders().getFirst("Content-Type"));
            String type = ct.get("type");
            if (!"multipart/related".equals(ct.get("")) || (type != null && !"application/dicom".equalsIgnoreCase(type))) {
                plain(ex, 415, "expected Content-Type multipart/related; type=\"application/dicom\"");
                return;
            }
            String boundary = ct.get("boundary");
            if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
                plain(ex, 400, "multipart/related without a valid boundary parameter");
                return;
            }
            byte[] body = readBounded(ex);
            if (body == null) {
                plain(ex, 413, "request larger than " + maxRequestBytes + " bytes");
                return;
            }
            List<Multipart.Part> parts;
            try {
                parts = Multipart.parse(body, boundary);
            } catch (Multipart.MalformedException e) {
                plain(ex, 400, e.getMessage());
                return;
            }
            if (parts.isEmpty()) {
                plain(ex, 400, "multipart body has no parts");
                return;
            }
            org.triage.events.Priority priority;
            try {
                priority = priority(ex.getRequestHeaders().getFirst(PRIORITY_HEADER));
            } catch (IllegalArgumentException e) {
                plain(ex, 400, e.getMessage());
                return;
            }
            String client = "stow:" + ex.getRemoteAddress().getAddress().getHostAddress();
            ObjectNode response = JSON.createObjectNode();
            ArrayNode referenced = JSON.createArrayNode();
            ArrayNode failed = JSON.createArrayNode();
            for (Multipart.Part p : parts) {
                String partType = Multipart.parseContentType(p.contentType()).get("");
                byte[] instance = Arrays.copyOfRange(body, p.offset(), p.offset() + p.length());
                IngestResult r;
                if (partType != null && !"application/dicom".equals(partType)) {
                    // PS3.18: a part of another type in an application/dicom request fails on its own.
                    r = pipeline.rejectUnread(null, null, instance, "part Content-Type " + partType + " is not application/dicom",
                            DicomException.Status.CANNOT_UNDERSTAND, client);
                } else {
                    r = pipeline.ingestPart10(instance, client, priority, List.of());
                }
                ObjectNode item = JSON.createObjectNode();
                if (r.sopClassUid() != null) {
                    item.set("00081150", attr("UI", r.sopClassUid()));
                }
                // The sender's own UID: the replacement (the Kafka key) means nothing to it and must not leave the edge.
                if (r.senderSopInstanceUid() != null) {
                    item.set("00081155", attr("UI", r.senderSopInstanceUid()));
                }
                if (r.ok()) {
                    referenced.add(item);
                } else {
                    ObjectNode reason = JSON.createObjectNode();
                    reason.put("vr", "US");
                    reason.putArray("Value").add(stowReason(r.status()));
                    item.set("00081197", reason);
                    failed.add(item);
                }
            }
            if (!referenced.isEmpty()) {
                response.set("00081199", sq(referenced));
            }
            if (!failed.isEmpty()) {
                response.set("00081198", sq(failed));
            }
            int status = failed.isEmpty() ? 200 : referenced.isEmpty() ? 409 : 202;
            byte[] out = JSON.writeValueAsBytes(response);
            ex.getResponseHeaders().set("Content-Type", "application/dicom+json");
            ex.sendResponseHeaders(status, out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("STOW-RS request failed: {}", e.toString());
            throw e;
        }
    }

    private static boolean acceptable(String accept) {
        for (String range : accept.split(",")) {
            String t = range.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("application/dicom+json") || t.equals("application/json") || t.equals("application/*") || t.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    /** PS3.18 failure reasons; ours are DIMSE statuses, which the standard reuses, except Kafka being down. */
    private static int stowReason(int status) {
        return status == DicomException.Status.OUT_OF_RESOURCES ? DicomException.Status.OUT_OF_RESOURCES : status;
    }

    private byte[] readBounded(HttpExchange ex) throws IOException {
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl != null) {
            try {
                if (Long.parseLong(cl.trim()) > maxRequestBytes) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try (InputStream in = ex.getRequestBody()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (bos.size() + (long) n > maxRequestBytes) {
                    return null;
                }
                bos.write(buf, 0, n);
            }
        }
        return bos.toByteArray();
    }

    private static ObjectNode attr(String vr, String value) {
        ObjectNode n = JSON.createObjectNode();
        n.put("vr", vr);
        n.putArray("Value").add(value);
        return n;
    }

    private static ObjectNode sq(ArrayNode items) {
        ObjectNode n = JSON.createObjectNode();
        n.put("vr", "SQ");
        n.set("Value", items);
        return n;
    }

    private static void plain(HttpExchange ex, int status, String message) throws IOException {
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** STOW-RS has no priority of its own (C-STORE does): a sender asks for the STAT lane with this header. */
    public static final String PRIORITY_HEADER = "X-Triage-Priority";

    static org.triage.events.Priority priority(String header) {
        if (header == null || header.isBlank()) {
            return org.triage.events.Priority.ROUTINE;
        }
        try {
            return org.triage.events.Priority.valueOf(header.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PRIORITY_HEADER + " must be ROUTINE, URGENT or STAT (a value of " + header.length()
                    + " characters was sent)");
        }
    }
}
