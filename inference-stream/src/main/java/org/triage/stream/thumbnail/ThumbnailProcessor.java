package org.triage.stream.thumbnail;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.topology.ImageBytes;

/**
 * Beside the batcher on the radiographs source: turns each film into a {@link ThumbnailMaker}
 * preview keyed by its SOP Instance UID, for the {@code thumbnails} topic. A preview is a
 * convenience: a record that cannot be read or decoded is counted and skipped here (the batcher
 * dead-letters it), and never fails the task.
 */
public final class ThumbnailProcessor implements Processor<String, byte[], String, byte[]> {
    private final Deserializer<RadiographEvent> deserializer;
    private final StreamMetrics metrics;
    private final String sink;
    private ProcessorContext<String, byte[]> context;

    public ThumbnailProcessor(Deserializer<RadiographEvent> deserializer, StreamMetrics metrics, String sink) {
        this.deserializer = deserializer;
        this.metrics = metrics;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) return;
        RadiographEvent event;
        byte[] png;
        try {
            event = deserializer.deserialize(Topics.RADIOGRAPHS, record.value());
            png = ThumbnailMaker.make(ImageBytes.of(event.getImage()));
        } catch (RuntimeException e) {
            metrics.thumbnailSkipped();
            return;
        }
        context.forward(new Record<>(event.getSopInstanceUid(), png, record.timestamp()), sink);
        metrics.thumbnailWritten();
    }
}
