package org.triage.alerts.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.action;
import static org.triage.alerts.TestAlerts.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.triage.events.ActionType;
import org.triage.events.AlertType;
import org.triage.events.Severity;

class AlertViewTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void foldsActionsIntoStates() {
        AlertView v = new AlertView(100);
        v.applyAlert(alert("a", T0));
        assertEquals(AlertState.OPEN, v.get("a").orElseThrow().state());
        v.applyAction(action("a", ActionType.COMMENT, T0 + 1));
        assertEquals(AlertState.OPEN, v.get("a").orElseThrow().state());
        v.applyAction(action("a", ActionType.ACK, T0 + 2));
        assertEquals(AlertState.ACKNOWLEDGED, v.get("a").orElseThrow().state());
        v.applyAction(action("a", ActionType.ESCALATE, T0 + 3));
        AlertSnapshot s = v.get("a").orElseThrow();
        assertEquals(AlertState.OPEN, s.state());
        assertTrue(s.escalated());
        v.applyAction(action("a", ActionType.RESOLVE, T0 + 4));
        v.applyAction(action("a", ActionType.ACK, T0 + 5));
        s = v.get("a").orElseThrow();
        assertEquals(AlertState.RESOLVED, s.state(), "an ACK does not re-open a resolved alert");
        assertEquals(5, s.actions().size());
        assertEquals(T0 + 5, s.updatedAt());
    }

    @Test
    void duplicateAlertsAndActionsAreIdempotent() {
        AlertView v = new AlertView(100);
        assertTrue(v.applyAlert(alert("a", T0)));
        assertFalse(v.applyAlert(alert("a", T0 + 999)));
        assertEquals(1, v.size());
        assertEquals(T0, v.get("a").orElseThrow().createdAtMillis(), "the first record wins");
        assertTrue(v.applyAction(action("x1", "a", ActionType.ACK, T0 + 1)));
        assertFalse(v.applyAction(action("x1", "a", ActionType.ACK, T0 + 1)));
        assertEquals(1, v.get("a").orElseThrow().actions().size());
        assertEquals(1L, v.counters().get("duplicate_alerts"));
        assertEquals(1L, v.counters().get("duplicate_actions"));
    }

    private static org.triage.events.Alert cluster(String id, int size, long at) {
        org.triage.events.Alert a = alert(id, at, AlertType.NOVELTY_CLUSTER, null, Severity.MEDIUM);
        a.setCluster(org.triage.events.NoveltyCluster.newBuilder().setClusterId("c-" + id).setSize(size)
                .setMembers(new ArrayList<>(java.util.Collections.nCopies(size, "sop"))).setCentroid(new ArrayList<>(List.of(1f, 2f)))
                .setRadius(0.1f).setFirstSeen(Instant.ofEpochMilli(T0)).setLastSeen(Instant.ofEpochMilli(at)).build());
        return a;
    }

    @Test
    void aGrowingClusterAlertIsUpdatedInPlaceKeepingItsStateAndHistory() {
        AlertView v = new AlertView(100);
        List<String> events = new ArrayList<>();
        v.addListener(new ViewListener() {
            @Override
            public void onNewAlert(AlertSnapshot alert, boolean live) {
                events.add("new " + alert.alert().getCluster().getSize());
            }

            @Override
            public void onAlertChanged(AlertSnapshot alert, boolean live) {
                events.add("changed " + alert.alert().getCluster().getSize());
            }
        });
        assertTrue(v.applyAlert(cluster("k", 5, T0)));
        v.applyAction(action("k", ActionType.ACK, T0 + 1));
        assertFalse(v.applyAlert(cluster("k", 7, T0 + 2)), "an update, not a new alert");
        assertFalse(v.applyAlert(cluster("k", 6, T0 + 3)), "a replayed older size changes nothing");
        AlertSnapshot s = v.get("k").orElseThrow();
        assertEquals(7, s.alert().getCluster().getSize());
        assertEquals(AlertState.ACKNOWLEDGED, s.state(), "state survives the update");
        assertEquals(1, s.actions().size());
        assertEquals(T0, s.createdAtMillis(), "created when the cluster first alerted");
        assertEquals(1, v.size());
        assertEquals(List.of("new 5", "changed 5", "changed 7"), events, "new alert, the ACK, the growth; the stale replay is silent");
        assertEquals(1L, v.counters().get("cluster_updates"));
        assertEquals(1L, v.counters().get("duplicate_alerts"));
    }

    @Test
    void actionsBeforeTheirAlertAreAppliedWhenItArrives() {
        AlertView v = new AlertView(100);
        v.applyAction(action("late", ActionType.ACK, T0 + 1));
        assertTrue(v.get("late").isEmpty());
        assertEquals(1L, v.counters().get("pending_actions"));
        v.applyAlert(alert("late", T0));
        assertEquals(AlertState.ACKNOWLEDGED, v.get("late").orElseThrow().state());
        assertEquals(0L, v.counters().get("pending_actions"));
    }

    @Test
    void pendingActionsAreBounded() {
        AlertView v = new AlertView(10, 3);
        for (int i = 0; i < 5; i++) v.applyAction(action("ghost" + i, ActionType.ACK, T0));
        assertEquals(3L, v.counters().get("pending_actions"));
        assertEquals(2L, v.counters().get("pending_actions_dropped"));
    }

    @Test
    void evictsOldestResolvedFirstThenOldestOverall() {
        AlertView v = new AlertView(3);
        v.applyAlert(alert("old-open", T0));
        v.applyAlert(alert("mid-resolved", T0 + 10));
        v.applyAlert(alert("new-resolved", T0 + 20));
        v.applyAction(action("new-resolved", ActionType.RESOLVE, T0 + 21));
        v.applyAction(action("mid-resolved", ActionType.RESOLVE, T0 + 22));
        v.applyAlert(alert("newest", T0 + 30));
        assertEquals(3, v.size());
        assertTrue(v.get("mid-resolved").isEmpty(), "oldest resolved goes first");
        assertTrue(v.get("old-open").isPresent(), "open alerts outlive resolved ones");
        v.applyAlert(alert("newer", T0 + 40));
        assertTrue(v.get("new-resolved").isEmpty());
        v.applyAlert(alert("newest2", T0 + 50));
        assertTrue(v.get("old-open").isEmpty(), "with nothing resolved, the oldest goes");
        assertEquals(3, v.size());
        assertEquals(2L, v.counters().get("evicted_resolved"));
        assertEquals(1L, v.counters().get("evicted_unresolved"));
        // A replayed duplicate of an evicted alert does not come back, and its actions are counted.
        assertFalse(v.applyAlert(alert("mid-resolved", T0 + 10)));
        v.applyAction(action("mid-resolved", ActionType.COMMENT, T0 + 60));
        assertEquals(1L, v.counters().get("actions_for_evicted_alerts"));
        assertEquals(0L, v.counters().get("pending_actions"));
    }

    @Test
    void queriesFilterAndPageNewestFirst() {
        AlertView v = new AlertView(100);
        for (int i = 0; i < 10; i++) {
            AlertType t = i % 2 == 0 ? AlertType.UNSEEN_CLASS : AlertType.NOVELTY;
            v.applyAlert(alert("a" + i, T0 + i * 1000L, t, t == AlertType.NOVELTY ? null : "lbl" + (i % 3), i < 5 ? Severity.LOW : Severity.CRITICAL));
        }
        v.applyAction(action("a9", ActionType.ACK, T0 + 20_000));
        AlertQuery.Page all = v.query(AlertQuery.all());
        assertEquals(10, all.total());
        assertEquals("a9", all.alerts().get(0).id());
        assertEquals("a0", all.alerts().get(9).id());

        assertEquals(ids("a8", "a7"), ids(v.query(new AlertQuery(Set.of(AlertState.OPEN), null, null, null, null, 0, 2))));
        assertEquals(9, v.query(new AlertQuery(Set.of(AlertState.OPEN), null, null, null, null, 0, 2)).total());
        assertEquals(ids("a9", "a7", "a5", "a3", "a1"), ids(v.query(new AlertQuery(null, Set.of(AlertType.NOVELTY), null, null, null, 0, 100))));
        assertEquals(ids("a6", "a0"), ids(v.query(new AlertQuery(null, null, "lbl0", null, null, 0, 100))));
        assertEquals(ids("a4", "a3", "a2"), ids(v.query(new AlertQuery(null, null, null, Set.of(Severity.LOW), Instant.ofEpochMilli(T0 + 2000), 0, 100))));
        AlertQuery.Page p2 = v.query(new AlertQuery(null, null, null, null, null, 8, 5));
        assertEquals(ids("a1", "a0"), ids(p2));
        assertEquals(10, p2.total());
    }

    @Test
    void listenersHearNewAlertsAndChangesWithTheLiveFlag() {
        AlertView v = new AlertView(100);
        List<String> heard = new ArrayList<>();
        v.addListener(new ViewListener() {
            @Override
            public void onNewAlert(AlertSnapshot alert, boolean live) {
                heard.add("new:" + alert.id() + ":" + live);
            }

            @Override
            public void onAlertChanged(AlertSnapshot alert, boolean live) {
                heard.add("change:" + alert.id() + ":" + alert.state() + ":" + live);
            }
        });
        v.applyAlert(alert("a", T0));
        v.setLive(true);
        v.applyAlert(alert("a", T0));
        v.applyAction(action("a", ActionType.ACK, T0 + 1));
        v.applyAlert(alert("b", T0 + 1));
        assertEquals(List.of("new:a:false", "change:a:ACKNOWLEDGED:true", "new:b:true"), heard);
    }

    @Test
    void actionHistoryPerAlertIsBounded() {
        AlertView v = new AlertView(10);
        v.applyAlert(alert("a", T0));
        for (int i = 0; i < AlertView.MAX_ACTIONS_PER_ALERT + 50; i++) v.applyAction(action("a", ActionType.COMMENT, T0 + i));
        assertEquals(AlertView.MAX_ACTIONS_PER_ALERT, v.get("a").orElseThrow().actions().size());
    }

    private static List<String> ids(String... ids) {
        return List.of(ids);
    }

    private static List<String> ids(AlertQuery.Page p) {
        return p.alerts().stream().map(AlertSnapshot::id).toList();
    }
}
