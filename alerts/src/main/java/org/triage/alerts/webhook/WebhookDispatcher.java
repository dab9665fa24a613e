package org.triage.alerts.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import org.triage.alerts.view.AlertQuery;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.http.AlertJson;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.alerts.view.ViewListener;

/**
 * POSTs every new alert to each configured webhook as
 * {@code {"event":"alert.created","alert":{...}}} (the alert in the API's JSON shape).
 *
 * <p>Alerts that arrive while the view is live are sent as they come. History replayed at
 * start-up is not re-posted, except alerts that are still OPEN and were created within the
 * catch-up window: those may have arrived while the service was down, and an on-call phone that
 * never rang is worse than one that rings twice. They are marked {@code "redelivery": true};
 * receivers should treat {@code alertId} as the idempotency key. Each webhook has its own bounded queue
 * and worker, so a slow or failing receiver neither blocks the consumer nor delays the others;
 * what cannot be queued or delivered is counted and logged.
 */
public final class WebhookDispatcher implements ViewListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final List<WebhookTarget> targets = new ArrayList<>();
    private final Duration catchUpWindow;

    public WebhookDispatcher(List<URI> urls, WebhookPolicy policy) {
        this(urls, policy, Duration.ZERO);
    }

    /** @param catchUpWindow re-post OPEN alerts created this recently when the replay catches up (zero: none) */
    public WebhookDispatcher(List<URI> urls, WebhookPolicy policy, Duration catchUpWindow) {
        this.catchUpWindow = catchUpWindow;
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        for (int i = 0; i < urls.size(); i++) {
            targets.add(new WebhookTarget(i, validate(urls.get(i)), client, policy));
        }
    }

    /** Refuses anything but an absolute http(s) URL, at start-up rather than at the first alert. */
    public static URI validate(URI u) {
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("webhook must be an absolute http:// or https:// URL with a host");
        }
        return u;
    }

    public void start() {
        for (WebhookTarget t : targets) t.start();
        if (!targets.isEmpty()) LOG.info("posting new alerts to {} webhook(s)", targets.size());
    }

    @Override
    public void onNewAlert(AlertSnapshot alert, boolean live) {
        if (live) post(alert, false);
    }

    @Override
    public void onCaughtUp(AlertView view) {
        if (targets.isEmpty() || catchUpWindow.isZero() || catchUpWindow.isNegative()) return;
        Instant since = Instant.now().minus(catchUpWindow);
        List<AlertSnapshot> recent = new ArrayList<>(view.query(
                new AlertQuery(Set.of(AlertState.OPEN), null, null, null, since, 0, AlertQuery.MAX_LIMIT)).alerts());
        Collections.reverse(recent);
        for (AlertSnapshot s : recent) post(s, true);
        if (!recent.isEmpty()) {
            LOG.info("re-posting {} open alert(s) from the last {} min to webhooks (marked redelivery)", recent.size(), catchUpWindow.toMinutes());
        }
    }

    private void post(AlertSnapshot alert, boolean redelivery) {
        if (targets.isEmpty()) return;
        ObjectNode body = AlertJson.MAPPER.createObjectNode();
        body.put("event", "alert.created");
        body.put("redelivery", redelivery);
        body.set("alert", AlertJson.toJson(alert, false));
        byte[] bytes;
        try {
            bytes = AlertJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.warn("cannot serialise alert {} for webhooks: {}", alert.id(), e.toString());
            return;
        }
        for (WebhookTarget t : targets) t.offer(alert.id(), bytes);
    }

    @Override
    public void onAlertChanged(AlertSnapshot alert, boolean live) {
        // Webhooks announce new alerts only; state changes are on the API and the SSE stream.
    }

    public Map<String, Number> metrics() {
        Map<String, Number> m = new LinkedHashMap<>();
        for (WebhookTarget t : targets) t.metrics(m);
        return m;
    }

    /** Total dropped (queue full or retries exhausted) across webhooks. */
    public long dropped() {
        long n = 0;
        for (WebhookTarget t : targets) n += t.droppedQueueFull() + t.failed();
        return n;
    }

    public long delivered() {
        long n = 0;
        for (WebhookTarget t : targets) n += t.delivered();
        return n;
    }

    @Override
    public void close() {
        for (WebhookTarget t : targets) t.close();
    }

    /** Retry and queue settings. */
    public record WebhookPolicy(int queueCapacity, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
            Duration connectTimeout, Duration requestTimeout) {
        public static WebhookPolicy defaults() {
            return new WebhookPolicy(1000, 5, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10));
        }

        public WebhookPolicy {
            if (queueCapacity < 1) throw new IllegalArgumentException("webhook queue capacity must be >= 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("webhook attempts must be >= 1");
        }
    }
}
