package org.triage.alerts.labels;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.kafka.ActionSink;
import org.triage.events.ActionType;
import org.triage.events.AlertAction;
import org.triage.events.ConfirmedLabels;
import org.triage.labels.Confirmations;
import org.triage.labels.LabelCatalog;
import org.triage.labels.LabelValidator;
import org.triage.labels.LatestConfirmation;
import org.triage.labels.LabelsSink;

/**
 * Records what a responder confirmed about a film: one {@code ConfirmedLabels} on {@code labels}
 * (a full statement for the film, who = the token's identity) and, so that each alert's history
 * shows who confirmed what and when, one {@code COMMENT} action per alert on that film. The
 * action type stays COMMENT because {@code AlertAction}'s enum is a released contract; the
 * statement itself is on {@code labels}.
 */
public final class LabelRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(LabelRecorder.class);
    private static final int MAX_NOTE = 2000;

    /** The input is wrong; the message says what to fix. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** Kafka did not take a record in time; nothing (or only the labels record) was stored. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What was written: the statement, and the actions that note it on alerts. */
    public record Recorded(ConfirmedLabels confirmation, List<AlertAction> actions, ConfirmedLabels replaced) {
    }

    private final LabelsSink labels;
    private final ActionSink actions;
    private final LabelCatalog catalog;
    private final LatestConfirmation latest;
    private final Duration publishTimeout;

    /** @param latest the film's current confirmation, which a one-label confirm or reject builds on */
    public LabelRecorder(LabelsSink labels, ActionSink actions, LabelCatalog catalog, LatestConfirmation latest, Duration publishTimeout) {
        this.labels = labels;
        this.actions = actions;
        this.catalog = catalog;
        this.latest = latest;
        this.publishTimeout = publishTimeout;
    }

    /**
     * One label present (confirm) or absent (reject) on an alert's film. The statement written
     * is the film's current confirmation with that one label changed, so confirming a second
     * alert on a film does not erase the first; it is still a full statement (downstream merges
     * nothing). Labels of the current confirmation that were retired since are dropped. If the
     * current confirmation cannot be read, the statement is the one label alone (logged).
     */
    public Recorded recordOne(String sop, String label, boolean present, Principal who, String alertId, String note)
            throws Refused, Unavailable {
        Optional<ConfirmedLabels> prior;
        try {
            prior = latest.of(sop);
        } catch (RuntimeException e) {
            LOG.warn("could not read the film's current confirmation, recording the one label alone: {}", e.toString());
            prior = Optional.empty();
        }
        Set<String> active = catalog.activeLabelsIncluding(List.of(label));
        List<String> labelsNow = new ArrayList<>();
        List<String> absentNow = new ArrayList<>();
        if (prior.isPresent()) {
            for (String l : prior.get().getLabels()) if (!l.equals(label) && active.contains(l)) labelsNow.add(l);
            for (String l : prior.get().getAbsent()) if (!l.equals(label) && active.contains(l)) absentNow.add(l);
        }
        (present ? labelsNow : absentNow).add(label);
        return record(sop, labelsNow, absentNow, who, List.of(alertId), note, prior.orElse(null));
    }

    /**
     * @param alertIds alerts on this film whose history should show the confirmation
     * @param note     the comment on those alerts (no patient data: label ids only)
     */
    public Recorded record(String sop, List<String> present, List<String> absent, Principal who, List<String> alertIds, String note)
            throws Refused, Unavailable {
        return record(sop, present, absent, who, alertIds, note, null);
    }

    private Recorded record(String sop, List<String> present, List<String> absent, Principal who, List<String> alertIds, String note,
                            ConfirmedLabels replaced) throws Refused, Unavailable {
        ConfirmedLabels c = Confirmations.of(sop, present, absent, who.identity(), Instant.ofEpochMilli(System.currentTimeMillis()),
                Confirmations.SOURCE_RADIOLOGIST);
        List<String> named = new ArrayList<>(c.getLabels());
        named.addAll(c.getAbsent());
        List<String> problems = new LabelValidator(catalog.activeLabelsIncluding(named)).problems(c);
        if (!problems.isEmpty()) throw new Refused(String.join("; ", problems));
        await(labels.publish(c), "could not record the confirmed labels, try again");
        List<AlertAction> written = new ArrayList<>();
        String comment = note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE - 3) + "..." : note;
        for (String alertId : alertIds) {
            AlertAction a = AlertAction.newBuilder()
                    .setActionId(UUID.randomUUID().toString())
                    .setAlertId(alertId)
                    .setAction(ActionType.COMMENT)
                    .setActor(who.identity())
                    .setComment(comment)
                    .setAt(c.getConfirmedAt())
                    .build();
            await(actions.publish(a), "the labels were recorded but not the note on alert " + alertId + "; confirming again is safe");
            written.add(a);
        }
        LOG.info("labels confirmed by {}: {} present, {} absent, noted on {} alert(s)", who.identity(), c.getLabels().size(),
                c.getAbsent().size(), written.size());
        return new Recorded(c, written, replaced);
    }

    private void await(CompletableFuture<Void> f, String failure) throws Unavailable {
        try {
            f.get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new Unavailable(failure + " (" + cause.getClass().getSimpleName() + ")", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(failure + " (interrupted)", e);
        }
    }
}
