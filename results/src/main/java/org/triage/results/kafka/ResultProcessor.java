package org.triage.results.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.StudyResult;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.delivery.RetryingDeliverer;
import org.triage.results.metrics.ResultsMetrics;
import org.triage.results.report.OriginalFilm;
import org.triage.results.report.Reidentifier;
import org.triage.results.report.ReportFactory;
import org.triage.results.report.ResultReport;
import org.triage.schemas.Topics;
import org.triage.schemas.registry.SchemaRegistryException;

/**
 * Handles one record of {@code findings}, {@code alerts} or {@code study-results} to the end: decoded, re-identified and offered to every
 * target, each on its own (one target refusing does not keep the result from the others). When this returns, the
 * record is done: every target accepted it or it is on {@code results-dlq}, one DLQ record per refusing target.
 */
public final class ResultProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ResultProcessor.class);

    private final Deserializer<Finding> findings;
    private final Deserializer<Alert> alerts;
    private final Deserializer<StudyResult> studies;
    private final Granularity granularity;
    private final Reidentifier reidentifier;
    private final List<DeliveryTarget> targets;
    private final RetryingDeliverer deliverer;
    private final DeadLetterPublisher dlq;
    private final ResultsMetrics metrics;

    public ResultProcessor(Deserializer<Finding> findings, Deserializer<Alert> alerts, Deserializer<StudyResult> studies,
            Granularity granularity, Reidentifier reidentifier, List<DeliveryTarget> targets, RetryingDeliverer deliverer,
            DeadLetterPublisher dlq, ResultsMetrics metrics) {
        this.findings = findings;
        this.alerts = alerts;
        this.studies = studies;
        this.granularity = granularity;
        this.reidentifier = reidentifier;
        this.targets = List.copyOf(targets);
        this.deliverer = deliverer;
        this.dlq = dlq;
        this.metrics = metrics;
    }

    /**
     * @throws TransientFailure     the record must be read again later
     * @throws InterruptedException shutting down mid-record: it is read again after the restart
     */
    public void process(ConsumerRecord<byte[], byte[]> record) throws TransientFailure, InterruptedException {
        if (record.value() == null) {
            return;
        }
        metrics.received(record.topic());
        String film;
        Finding finding = null;
        Alert alert = null;
        StudyResult study = null;
        try {
            if (Topics.ALERTS.equals(record.topic())) {
                alert = alerts.deserialize(record.topic(), record.headers(), record.value());
                film = alert.getSopInstanceUid();
            } else if (Topics.STUDY_RESULTS.equals(record.topic())) {
                study = studies.deserialize(record.topic(), record.headers(), record.value());
                film = study.getFilms().isEmpty() ? null : study.getFilms().get(0).getSopInstanceUid();
            } else {
                finding = findings.deserialize(record.topic(), record.headers(), record.value());
                film = finding.getSopInstanceUid();
            }
        } catch (RuntimeException e) {
            if (isRetryable(e)) {
                throw new TransientFailure("registry", e);
            }
            deadLetter(record, "results:decode", "undecodable", "cannot be decoded: " + e.getClass().getSimpleName());
            return;
        }
        if (finding != null && granularity == Granularity.STUDY && hasStudy(finding)) {
            metrics.coveredByStudy();
            return; // its study's result carries it
        }
        if (film == null) {
            deadLetter(record, "results:decode", "undecodable", "a study result without films");
            return;
        }
        List<OriginalFilm> originals = new ArrayList<>();
        List<String> wanted = study != null ? study.getFilms().stream().map(f -> f.getSopInstanceUid()).toList() : List.of(film);
        for (String sop : wanted) {
            Optional<OriginalFilm> original;
            try {
                original = reidentifier.film(sop);
            } catch (IOException e) {
                throw new TransientFailure("reid-store", e);
            }
            if (original.isEmpty()) {
                LOG.warn("film={} topic={} offset={}: not in the re-identification store, dead-lettered", sop, record.topic(), record.offset());
                deadLetter(record, "results:reidentify", "not-in-store", "film not in the re-identification store");
                return;
            }
            originals.add(original.get());
        }
        ResultReport report = alert != null ? ReportFactory.fromAlert(alert, originals.get(0))
                : study != null ? ReportFactory.fromStudy(study, originals)
                : ReportFactory.fromFinding(finding, originals.get(0));
        for (DeliveryTarget target : targets) {
            RetryingDeliverer.Outcome outcome = deliverer.deliver(target, report);
            if (outcome.accepted()) {
                LOG.info("target={} film={} result={} delivered (attempts={})", target.name(), film, report.resultId(), outcome.attempts());
            } else {
                LOG.error("target={} film={} result={} refused {} times, dead-lettered: {}", target.name(), film, report.resultId(),
                        outcome.attempts(), outcome.reason());
                deadLetter(record, "results:" + target.name(), "refused:" + target.name(),
                        "refused " + outcome.attempts() + " times, last: " + outcome.reason());
            }
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String stage, String reasonTag, String reason)
            throws TransientFailure, InterruptedException {
        dlq.publish(record, stage, reason);
        metrics.deadLettered(reasonTag);
    }

    private static boolean hasStudy(Finding f) {
        return f.getStudyInstanceUid() != null && !f.getStudyInstanceUid().isBlank();
    }

    /** A registry that did not answer, or answered 5xx / 408 / 429. */
    static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre) {
                return sre.isRetryable();
            }
        }
        return false;
    }
}
