package org.triage.stream.thumbnail;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;

/**
 * Beside the batcher on the radiographs source: hands each film to a {@link ThumbnailSink} under
 * its SOP Instance UID. A preview is a convenience: a record that cannot be read is counted and
 * skipped here (the batcher dead-letters it, or retries it when the registry is down), and never
 * fails the task.
 */
public final class ThumbnailProcessor implements Processor<String, byte[], Void, Void> {
    private final Deserializer<RadiographEvent> deserializer;
    private final ThumbnailSink sink;
    private final StreamMetrics metrics;

    public ThumbnailProcessor(Deserializer<RadiographEvent> deserializer, ThumbnailSink sink, StreamMetrics metrics) {
        this.deserializer = deserializer;
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        // The STAT lane's copy: that lane's own thumbnailer made the preview when the film arrived.
        if (record.value() == null || org.triage.stream.topology.Lane.scoredElsewhere(record.headers())) return;
        RadiographEvent event;
        try {
            event = deserializer.deserialize(Topics.RADIOGRAPHS, record.value());
        } catch (RuntimeException e) {
            metrics.thumbnail("unreadable");
            return;
        }
        sink.offer(event.getSopInstanceUid(), event.getImage());
    }
}
