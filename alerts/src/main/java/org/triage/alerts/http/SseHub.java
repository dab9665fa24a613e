package org.triage.alerts.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.alerts.view.ViewListener;

/**
 * Server-Sent Events for the live page: {@code event: alert} for a new alert and
 * {@code event: state} when an action changed one; the data is the alert's JSON (as in the list
 * endpoint). Each client has a bounded queue; a client that cannot keep up is disconnected (its
 * page reconnects and reloads the list) rather than allowed to grow memory or stall the consumer.
 */
public final class SseHub implements ViewListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);
    static final int QUEUE_PER_CLIENT = 512;
    private static final String CLOSE = "\u0000close";

    private final int maxClients;
    private final Semaphore slots;
    private final long heartbeatMillis;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong eventIds = new AtomicLong();
    private final AtomicLong slowDisconnects = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean closed;

    private static final class Client {
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_PER_CLIENT);
        volatile boolean dropped;
    }

    public SseHub(int maxClients, long heartbeatMillis) {
        this.maxClients = maxClients;
        this.slots = new Semaphore(maxClients);
        this.heartbeatMillis = heartbeatMillis;
    }

    @Override
    public void onNewAlert(AlertSnapshot alert, boolean live) {
        broadcast("alert", alert);
    }

    @Override
    public void onAlertChanged(AlertSnapshot alert, boolean live) {
        broadcast("state", alert);
    }

    private void broadcast(String event, AlertSnapshot s) {
        if (clients.isEmpty()) return;
        String data;
        try {
            data = AlertJson.MAPPER.writeValueAsString(AlertJson.toJson(s, false));
        } catch (JsonProcessingException e) {
            LOG.warn("cannot serialise alert {} for SSE: {}", s.id(), e.toString());
            return;
        }
        // JSON from Jackson has no raw newlines, so one data: line is a whole event.
        String msg = "id: " + eventIds.incrementAndGet() + "\nevent: " + event + "\ndata: " + data + "\n\n";
        for (Client c : clients) {
            if (!c.queue.offer(msg)) {
                c.dropped = true;
                c.queue.clear();
                c.queue.offer(CLOSE);
            }
        }
    }

    /** Serves one SSE connection until the client leaves, falls behind, or the hub closes. */
    void serve(HttpExchange ex) throws IOException {
        if (closed || !slots.tryAcquire()) {
            rejected.incrementAndGet();
            HttpIO.sendError(ex, 503, "too many live connections (limit " + maxClients + ")");
            return;
        }
        Client c = new Client();
        clients.add(c);
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            write(out, "retry: 3000\n: connected\n\n");
            while (!closed) {
                String msg = c.queue.poll(heartbeatMillis, TimeUnit.MILLISECONDS);
                if (msg == CLOSE || closed) break;
                write(out, msg == null ? ": keepalive\n\n" : msg);
            }
            if (c.dropped) {
                slowDisconnects.incrementAndGet();
                LOG.info("SSE client fell more than {} events behind; disconnected it (it will reconnect)", QUEUE_PER_CLIENT);
            }
        } catch (IOException e) {
            // The client went away: the normal end of a stream.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(c);
            slots.release();
            ex.close();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public int clientCount() {
        return clients.size();
    }

    public long slowDisconnects() {
        return slowDisconnects.get();
    }

    public long rejectedConnections() {
        return rejected.get();
    }

    @Override
    public void close() {
        closed = true;
        for (Client c : clients) {
            c.queue.clear();
            c.queue.offer(CLOSE);
        }
    }
}
