package org.triage.stream.study;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.triage.events.Finding;
import org.triage.stream.metrics.StreamMetrics;

/**
 * Re-keys each finding by its study and model, on its way to the grouping topic. A film without a study UID has no
 * study to be part of: it is counted and stays a film-level result only.
 */
public final class StudyKeyProcessor implements Processor<String, Finding, String, Finding> {
    private final StreamMetrics metrics;
    private ProcessorContext<String, Finding> context;

    public StudyKeyProcessor(StreamMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Finding> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Finding> record) {
        Finding f = record.value();
        if (f == null) {
            return;
        }
        String study = f.getStudyInstanceUid();
        if (study == null || study.isBlank()) {
            metrics.studyFilm("no-study");
            return;
        }
        context.forward(record.withKey(StudyGroupKey.of(study, f.getModel())));
    }
}
