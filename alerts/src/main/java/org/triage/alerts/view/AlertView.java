package org.triage.alerts.view;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.AlertAction;

/**
 * The event-sourced alert view: {@code alerts} and {@code alert-actions} folded into current
 * state. The only writer is the consumer thread; HTTP handlers read concurrently.
 *
 * <p>Fold rules, so that a replay always rebuilds the same state:
 * <ul>
 * <li>A new alert id starts OPEN. A second record with an id already seen (a replay, a rescan)
 * changes nothing, except for a NOVELTY_CLUSTER alert whose cluster grew: the newer content
 * replaces the older (state, history and creation time stay), since a cluster is one alert that
 * is updated as films join it.</li>
 * <li>ACK: OPEN becomes ACKNOWLEDGED (no effect on other states). RESOLVE: any state becomes
 * RESOLVED. ESCALATE: marks the alert escalated and puts it back to OPEN, so that someone else
 * picks it up. COMMENT: history only.</li>
 * <li>An action with an action id already applied to that alert is ignored.</li>
 * <li>Actions for an alert not seen yet (the two topics are read independently, so an action can
 * arrive first) wait in a bounded buffer and are applied when the alert arrives.</li>
 * </ul>
 *
 * <p>Memory is bounded: at most {@code maxAlerts} alerts. When a new one would exceed it, the
 * oldest RESOLVED alert (by creation time) is evicted; only when none is resolved does the oldest
 * alert of any state go, which is logged as a warning and counted. Evicted ids are remembered
 * (up to {@code maxAlerts} of them) so that a late duplicate does not resurrect them. Each alert
 * keeps its latest {@value #MAX_ACTIONS_PER_ALERT} actions.
 */
public final class AlertView {
    private static final Logger LOG = LoggerFactory.getLogger(AlertView.class);
    public static final int DEFAULT_MAX_ALERTS = 10_000;
    static final int MAX_ACTIONS_PER_ALERT = 200;

    private static final Comparator<Entry> OLDEST_FIRST =
            Comparator.comparingLong((Entry e) -> e.createdAt).thenComparing(e -> e.id);

    private static final class Entry {
        final String id;
        final long createdAt;
        Alert alert;
        AlertState state = AlertState.OPEN;
        boolean escalated;
        final Deque<AlertAction> actions = new ArrayDeque<>();
        final Set<String> actionIds = new HashSet<>();
        long updatedAt;
        AlertSnapshot snapshot;

        Entry(Alert alert) {
            this.alert = alert;
            this.id = alert.getAlertId();
            this.createdAt = alert.getCreatedAt().toEpochMilli();
            this.updatedAt = createdAt;
        }

        AlertSnapshot refresh() {
            snapshot = new AlertSnapshot(alert, state, escalated, new ArrayList<>(actions), updatedAt);
            return snapshot;
        }
    }

    private final int maxAlerts;
    private final int maxPendingActions;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Entry> byId = new HashMap<>();
    private final TreeSet<Entry> byNewest = new TreeSet<>(OLDEST_FIRST.reversed());
    private final TreeSet<Entry> resolvedOldest = new TreeSet<>(OLDEST_FIRST);
    private final LinkedHashMap<String, List<AlertAction>> pending = new LinkedHashMap<>();
    private int pendingCount;
    private final LinkedHashMap<String, Boolean> evicted;
    private final List<ViewListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean live;

    private final AtomicLong duplicateAlerts = new AtomicLong();
    private final AtomicLong updatedClusters = new AtomicLong();
    private final AtomicLong duplicateActions = new AtomicLong();
    private final AtomicLong pendingDropped = new AtomicLong();
    private final AtomicLong actionsForEvicted = new AtomicLong();
    private final AtomicLong evictedResolved = new AtomicLong();
    private final AtomicLong evictedUnresolved = new AtomicLong();

    public AlertView(int maxAlerts) {
        this(maxAlerts, maxAlerts);
    }

    public AlertView(int maxAlerts, int maxPendingActions) {
        if (maxAlerts < 1) throw new IllegalArgumentException("maxAlerts must be >= 1");
        if (maxPendingActions < 1) throw new IllegalArgumentException("maxPendingActions must be >= 1");
        this.maxAlerts = maxAlerts;
        this.maxPendingActions = maxPendingActions;
        this.evicted = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > AlertView.this.maxAlerts;
            }
        };
    }

    public void addListener(ViewListener l) {
        listeners.add(l);
    }

    public void removeListener(ViewListener l) {
        listeners.remove(l);
    }

    /** True once the start-up replay has reached the end of both topics. */
    public boolean isLive() {
        return live;
    }

    /** Marks the view live; the first time, listeners hear {@link ViewListener#onCaughtUp}. */
    public void setLive(boolean live) {
        boolean was = this.live;
        this.live = live;
        if (live && !was) {
            for (ViewListener l : listeners) l.onCaughtUp(this);
        }
    }

    /** Folds in an alert record. Returns true when it was new. */
    public boolean applyAlert(Alert alert) {
        AlertSnapshot snap;
        boolean isNew;
        lock.writeLock().lock();
        try {
            String id = alert.getAlertId();
            Entry existing = byId.get(id);
            if (existing != null && grew(existing.alert, alert)) {
                // The alert was raised when the cluster first reached its size; growth is an update (updatedAt).
                existing.alert = Alert.newBuilder(alert).setCreatedAt(existing.alert.getCreatedAt()).build();
                existing.updatedAt = Math.max(existing.updatedAt, alert.getCreatedAt().toEpochMilli());
                updatedClusters.incrementAndGet();
                snap = existing.refresh();
                isNew = false;
            } else if (existing != null || evicted.containsKey(id)) {
                duplicateAlerts.incrementAndGet();
                return false;
            } else {
                Entry e = new Entry(alert);
                List<AlertAction> waiting = pending.remove(id);
                if (waiting != null) {
                    pendingCount -= waiting.size();
                    for (AlertAction a : waiting) fold(e, a);
                }
                byId.put(id, e);
                byNewest.add(e);
                if (e.state == AlertState.RESOLVED) resolvedOldest.add(e);
                snap = e.refresh();
                while (byId.size() > maxAlerts) evictOne();
                isNew = true;
            }
        } finally {
            lock.writeLock().unlock();
        }
        boolean isLive = live;
        for (ViewListener l : listeners) {
            if (isNew) {
                l.onNewAlert(snap, isLive);
            } else {
                l.onAlertChanged(snap, isLive);
            }
        }
        return isNew;
    }

    /** A later record of the same cluster alert that carries a larger cluster. */
    private static boolean grew(Alert before, Alert after) {
        return before.getCluster() != null && after.getCluster() != null
                && after.getCluster().getSize() > before.getCluster().getSize();
    }

    /** Cluster alerts replaced by a grown version of themselves. */
    public long updatedClusters() {
        return updatedClusters.get();
    }

    /** Folds in an action record. Returns true when it changed an alert now in the view. */
    public boolean applyAction(AlertAction action) {
        AlertSnapshot snap;
        lock.writeLock().lock();
        try {
            String id = action.getAlertId();
            Entry e = byId.get(id);
            if (e == null) {
                if (evicted.containsKey(id)) {
                    actionsForEvicted.incrementAndGet();
                } else {
                    park(action);
                }
                return false;
            }
            resolvedOldest.remove(e);
            boolean applied = fold(e, action);
            if (e.state == AlertState.RESOLVED) resolvedOldest.add(e);
            if (!applied) return false;
            snap = e.refresh();
        } finally {
            lock.writeLock().unlock();
        }
        boolean isLive = live;
        for (ViewListener l : listeners) l.onAlertChanged(snap, isLive);
        return true;
    }

    private boolean fold(Entry e, AlertAction a) {
        if (!e.actionIds.add(a.getActionId())) {
            duplicateActions.incrementAndGet();
            return false;
        }
        e.actions.addLast(a);
        if (e.actions.size() > MAX_ACTIONS_PER_ALERT) {
            e.actionIds.remove(e.actions.removeFirst().getActionId());
        }
        switch (a.getAction()) {
            case ACK -> {
                if (e.state == AlertState.OPEN) e.state = AlertState.ACKNOWLEDGED;
            }
            case RESOLVE -> e.state = AlertState.RESOLVED;
            case ESCALATE -> {
                e.escalated = true;
                e.state = AlertState.OPEN;
            }
            case COMMENT -> {
                // History only.
            }
        }
        e.updatedAt = Math.max(e.updatedAt, a.getAt().toEpochMilli());
        return true;
    }

    private void park(AlertAction action) {
        pending.computeIfAbsent(action.getAlertId(), k -> new ArrayList<>()).add(action);
        pendingCount++;
        while (pendingCount > maxPendingActions) {
            Iterator<Map.Entry<String, List<AlertAction>>> it = pending.entrySet().iterator();
            Map.Entry<String, List<AlertAction>> oldest = it.next();
            List<AlertAction> list = oldest.getValue();
            list.remove(0);
            pendingCount--;
            pendingDropped.incrementAndGet();
            if (list.isEmpty()) it.remove();
        }
    }

    private void evictOne() {
        Entry victim = resolvedOldest.pollFirst();
        if (victim != null) {
            evictedResolved.incrementAndGet();
        } else {
            victim = byNewest.last();
            long n = evictedUnresolved.incrementAndGet();
            LOG.warn("alert view is full ({} alerts) with none resolved: evicting unresolved alert {} (unresolved evictions so far: {}); raise --max-alerts",
                    maxAlerts, victim.id, n);
        }
        byNewest.remove(victim);
        byId.remove(victim.id);
        evicted.put(victim.id, Boolean.TRUE);
    }

    public Optional<AlertSnapshot> get(String alertId) {
        lock.readLock().lock();
        try {
            Entry e = byId.get(alertId);
            return e == null ? Optional.empty() : Optional.of(e.snapshot);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The alerts (kept in memory) raised on one film, newest first. */
    public List<AlertSnapshot> forFilm(String sopInstanceUid) {
        lock.readLock().lock();
        try {
            List<AlertSnapshot> out = new ArrayList<>();
            for (Entry e : byNewest) {
                if (sopInstanceUid.equals(e.snapshot.alert().getSopInstanceUid())) out.add(e.snapshot);
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Alerts matching the query, newest first, one page of them. */
    public AlertQuery.Page query(AlertQuery q) {
        lock.readLock().lock();
        try {
            List<AlertSnapshot> page = new ArrayList<>(Math.min(q.limit(), byId.size()));
            int total = 0;
            for (Entry e : byNewest) {
                AlertSnapshot s = e.snapshot;
                if (!q.matches(s)) continue;
                if (total >= q.offset() && page.size() < q.limit()) page.add(s);
                total++;
            }
            return new AlertQuery.Page(page, total);
        } finally {
            lock.readLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return byId.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Number of alerts per state. */
    public Map<AlertState, Integer> countsByState() {
        Map<AlertState, Integer> counts = new EnumMap<>(AlertState.class);
        for (AlertState s : AlertState.values()) counts.put(s, 0);
        lock.readLock().lock();
        try {
            for (Entry e : byId.values()) counts.merge(e.state, 1, Integer::sum);
        } finally {
            lock.readLock().unlock();
        }
        return counts;
    }

    public int maxAlerts() {
        return maxAlerts;
    }

    /** Counters for /health and /metrics. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("duplicate_alerts", duplicateAlerts.get());
        m.put("duplicate_actions", duplicateActions.get());
        m.put("cluster_updates", updatedClusters.get());
        m.put("pending_actions_dropped", pendingDropped.get());
        m.put("actions_for_evicted_alerts", actionsForEvicted.get());
        m.put("evicted_resolved", evictedResolved.get());
        m.put("evicted_unresolved", evictedUnresolved.get());
        lock.readLock().lock();
        try {
            m.put("pending_actions", (long) pendingCount);
        } finally {
            lock.readLock().unlock();
        }
        return m;
    }
}
