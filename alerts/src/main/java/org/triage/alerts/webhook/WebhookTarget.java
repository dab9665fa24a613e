package org.triage.alerts.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook: a bounded queue and a worker that delivers with bounded retries. The URL is
 * logged by host only (its path or query may carry a secret).
 */
final class WebhookTarget implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookTarget.class);

    private record Item(String alertId, byte[] body) {
    }

    private final int index;
    private final URI url;
    private final String where;
    private final HttpClient client;
    private final WebhookDispatcher.WebhookPolicy policy;
    private final BlockingQueue<Item> queue;
    private final Thread worker;
    private volatile boolean running = true;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    WebhookTarget(int index, URI url, HttpClient client, WebhookDispatcher.WebhookPolicy policy) {
        this.index = index;
        this.url = url;
        this.where = "webhook #" + index + " (" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + ")";
        this.client = client;
        this.policy = policy;
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        this.worker = new Thread(this::run, "alerts-webhook-" + index);
        this.worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    void offer(String alertId, byte[] body) {
        if (!queue.offer(new Item(alertId, body))) {
            long n = droppedQueueFull.incrementAndGet();
            // Log the first drop and then every 100th, so a dead receiver cannot flood the log.
            if (n == 1 || n % 100 == 0) {
                LOG.warn("{} queue full ({}): dropped alert {}; {} dropped so far (metric webhook_dropped_total)",
                        where, policy.queueCapacity(), alertId, n);
            }
        }
    }

    private void run() {
        while (running) {
            Item item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            String failure = deliver(item);
            if (failure != null) {
                if (!running) return;
                long n = failed.incrementAndGet();
                LOG.warn("{} did not accept alert {} ({}); dropped ({} so far, metric webhook_dropped_total)",
                        where, item.alertId(), failure, n);
            }
        }
    }

    /** Null when the receiver answered 2xx within the allowed attempts, else why not. */
    private String deliver(Item item) {
        HttpRequest req = HttpRequest.newBuilder(url)
                .timeout(policy.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "triage-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(item.body()))
                .build();
        long backoff = policy.initialBackoff().toMillis();
        String last = "shutting down";
        for (int attempt = 1; attempt <= policy.maxAttempts() && running; attempt++) {
            String why;
            try {
                HttpResponse<Void> resp = client.send(req, HttpResponse.BodyHandlers.discarding());
                int s = resp.statusCode();
                if (s >= 200 && s < 300) {
                    delivered.incrementAndGet();
                    return null;
                }
                why = "HTTP " + s;
                // The receiver rejected this request itself; sending it again will not help.
                if (s >= 400 && s < 500 && s != 408 && s != 429) {
                    return why + ", not retried";
                }
            } catch (IOException e) {
                why = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            last = why;
            if (attempt < policy.maxAttempts()) {
                retries.incrementAndGet();
                LOG.debug("{} attempt {} for alert {} failed ({}); retrying in {} ms", where, attempt, item.alertId(), why, backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
                backoff = Math.min(backoff * 2, policy.maxBackoff().toMillis());
            }
        }
        return last + " after " + policy.maxAttempts() + " attempts";
    }

    void metrics(Map<String, Number> m) {
        String l = "{webhook=\"" + index + "\"}";
        m.put("webhook_delivered_total" + l, delivered.get());
        m.put("webhook_retries_total" + l, retries.get());
        m.put("webhook_dropped_total{webhook=\"" + index + "\",reason=\"queue_full\"}", droppedQueueFull.get());
        m.put("webhook_dropped_total{webhook=\"" + index + "\",reason=\"failed\"}", failed.get());
        m.put("webhook_queue_size" + l, queue.size());
    }

    long delivered() {
        return delivered.get();
    }

    long droppedQueueFull() {
        return droppedQueueFull.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        if (left > 0) LOG.warn("{}: {} queued alert(s) not delivered at shutdown", where, left);
    }
}
