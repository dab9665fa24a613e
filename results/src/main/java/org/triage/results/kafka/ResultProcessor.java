package org.triage.results.kafka;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.Finding;
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
 * Handles one record of {@code findings} or {@code alerts} to the end: decoded, re-identified and offered to every
 * target, each on its own (one target refusing does not keep the result from the others). When this returns, the
 * record is done: every target accepted it or it is on {@code results-dlq}, one DLQ record per refusing target.
 */
public final class ResultProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ResultProcessor.class);

    private final Deserializer<Finding> findings;
    private final Deserializer<Alert> alerts;
    private final Reidentifier reidentifier;
    private final List<DeliveryTarget> targets;
    private final RetryingDeliverer deliverer;
    private final DeadLetterPublisher dlq;
    private final ResultsMetrics metrics;

    public ResultProcessor(Deserializer<Finding> findings, Deserializer<Alert> alerts, Reidentifier reidentifier,
            List<DeliveryTarget> targets, RetryingDeliverer deliverer, DeadLetterPublisher dlq, ResultsMetrics metrics) {
        this.findings = findings;
        this.alerts = alerts;
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
        try {
            if (Topics.ALERTS.equals(record.topic())) {
                alert = alerts.deserialize(record.topic(), record.headers(), record.value());
                film = alert.getSopInstanceUid();
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
        Optional<OriginalFilm> original;
        try {
            original = reidentifier.film(film);
        } catch (IOException e) {
            throw new TransientFailure("reid-store", e);
        }
        if (original.isEmpty()) {
            LOG.warn("film={} topic={} offset={}: not in the re-identification store, dead-lettered", film, record.topic(), record.offset());
            deadLetter(record, "results:reidentify", "not-in-store", "film not in the re-identification store");
            return;
        }
        ResultReport report = alert != null ? ReportFactory.fromAlert(alert, original.get()) : ReportFactory.fromFinding(finding, original.get());
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
