package org.triage.stream.topology;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.LabelPrototype;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;

/**
 * Maintains the global prototype store from label-prototypes: a valid prototype replaces the
 * label's entry, a tombstone retires it, an invalid one is rejected (logged + DLQ) and the
 * label keeps its previous valid version.
 */
public final class PrototypeStoreProcessor implements Processor<String, LabelPrototype, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PrototypeStoreProcessor.class);

    private final Supplier<Integer> expectedDim;
    private final DlqSink dlq;
    private final Serializer<LabelPrototype> serializer;
    private final StreamMetrics metrics;
    private KeyValueStore<String, LabelPrototype> store;
    private ProcessorContext<Void, Void> context;

    public PrototypeStoreProcessor(Supplier<Integer> expectedDim, DlqSink dlq, Serializer<LabelPrototype> serializer,
                                   StreamMetrics metrics) {
        this.expectedDim = expectedDim;
        this.dlq = dlq;
        this.serializer = serializer;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(StreamTopology.PROTOTYPE_STORE);
    }

    @Override
    public void process(Record<String, LabelPrototype> record) {
        String key = record.key();
        if (key == null) {
            reject(record, "prototype record without a key (label id)");
            return;
        }
        LabelPrototype p = record.value();
        if (p == null) {
            store.delete(key);
            LOG.info("prototype retired: label={}", key);
            return;
        }
        Optional<String> problem = PrototypeValidator.problem(p, expectedDim.get());
        if (problem.isEmpty() && !key.equals(p.getLabelId())) {
            problem = Optional.of("prototype key '" + key + "' differs from its labelId '" + p.getLabelId() + "'");
        }
        if (problem.isPresent()) {
            reject(record, problem.get());
            return;
        }
        store.put(key, p);
        LOG.info("prototype active: label={} version={} kind={} policy={}", key, p.getVersion(), p.getKind(),
                p.getAlertPolicy().getMode());
    }

    private void reject(Record<String, LabelPrototype> record, String problem) {
        LOG.warn("prototype rejected: {}", problem);
        metrics.dlq("prototype");
        Optional<RecordMetadata> md = context.recordMetadata();
        byte[] bytes = null;
        try {
            bytes = record.value() == null ? null : serializer.serialize(Topics.LABEL_PROTOTYPES, record.value());
        } catch (RuntimeException e) {
            LOG.warn("could not re-serialize rejected prototype for the DLQ: {}", e.toString());
        }
        dlq.send(record.key(), bytes, "prototype", problem, md.map(RecordMetadata::topic).orElse(Topics.LABEL_PROTOTYPES),
                md.map(RecordMetadata::partition).orElse(-1), md.map(RecordMetadata::offset).orElse(-1L));
    }
}
