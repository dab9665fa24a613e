package org.triage.alerts.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.triage.alerts.auth.TokenStore;
import org.triage.alerts.kafka.ActionSink;
import org.triage.alerts.labels.LabelRecorder;
import org.triage.alerts.studies.StudyResultCache;
import org.triage.alerts.thumbnails.ThumbnailCache;
import org.triage.labels.FilmLookup;
import org.triage.alerts.view.AlertView;

/**
 * The HTTP side of the service on the JDK's built-in server: the REST API, SSE, the page,
 * health and metrics. Threads are bounded: each live SSE connection holds one, so the pool has
 * room for {@code maxSseClients} of them plus a fixed number of ordinary requests.
 */
public final class ApiServer implements AutoCloseable {
    private static final int REQUEST_THREADS = 8;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final SseHub hub;
    private final AlertsApi api;
    private final AlertView view;

    /** Without label confirmation: its routes answer 503. */
    public ApiServer(String bind, int port, AlertView view, TokenStore tokens, ActionSink sink, ThumbnailCache thumbnails,
            int maxSseClients, Duration sseHeartbeat, Duration publishTimeout,
            Supplier<Map<String, Number>> extraMetrics) throws IOException {
        this(bind, port, view, tokens, sink, null, sops -> java.util.Set.copyOf(sops), thumbnails,
                new StudyResultCache(StudyResultCache.DEFAULT_MAX_ENTRIES), maxSseClients, sseHeartbeat, publishTimeout, extraMetrics);
    }

    /**
     * @param recorder writes label confirmations ({@code /api/alerts/{id}/confirm|reject}, {@code /api/films/{sop}/labels})
     * @param films    which films exist, for films that have no alert in the view
     * @param thumbnails film previews served at {@code /api/films/{sop}/thumbnail}
     * @param studies    study results served at {@code /api/studies/{studyUid}}
     */
    public ApiServer(String bind, int port, AlertView view, TokenStore tokens, ActionSink sink, LabelRecorder recorder, FilmLookup films,
            ThumbnailCache thumbnails, StudyResultCache studies,
            int maxSseClients, Duration sseHeartbeat, Duration publishTimeout,
            Supplier<Map<String, Number>> extraMetrics) throws IOException {
        this.view = view;
        hub = new SseHub(maxSseClients, sseHeartbeat.toMillis());
        BearerAuth auth = new BearerAuth(tokens);
        LabelRoutes labels = new LabelRoutes(view, recorder, films, auth);
        api = new AlertsApi(view, sink, auth, hub, publishTimeout, labels);
        server = HttpServer.create(new InetSocketAddress(bind, port), 128);
        server.createContext(AlertsApi.BASE, api);
        server.createContext(LabelRoutes.FILMS, labels.filmsHandler(new ThumbnailRoute(thumbnails)));
        server.createContext(StudyRoute.BASE, new StudyRoute(studies, auth));
        server.createContext("/api/session", StatusHandlers.session(auth));
        server.createContext("/health", StatusHandlers.health(view));
        server.createContext("/metrics", StatusHandlers.metrics(() -> {
            Map<String, Number> m = new LinkedHashMap<>(extraMetrics.get());
            m.put("sse_clients", hub.clientCount());
            m.put("sse_slow_disconnects_total", hub.slowDisconnects());
            m.put("sse_rejected_total", hub.rejectedConnections());
            m.put("actions_accepted_total", api.actionsAccepted());
            m.put("actions_failed_total", api.actionsFailed());
            m.put("label_confirmations_accepted_total", labels.accepted());
            m.put("label_confirmations_failed_total", labels.failed());
            return m;
        }));
        server.createContext("/", new PageHandler());
        int threads = REQUEST_THREADS + maxSseClients;
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "alerts-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        view.addListener(hub);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getHostString();
    }

    public SseHub hub() {
        return hub;
    }

    @Override
    public void close() {
        // SSE handlers block on their queues; release them first so stop() need not wait.
        view.removeListener(hub);
        hub.close();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
