package org.triage.stream.topology;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
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
 *
 * <p>It reads bytes and deserializes itself, so that a registry outage is retried here (the global
 * thread cannot be replaced, and a prototype must never be DLQ'd because the registry was down);
 * only a record that is itself bad is rejected.
 */
public final class PrototypeStoreProcessor implements Processor<String, byte[], Void, Void> {
    /** Backoff while the registry is down: doubling from the first to the last. */
    static final long FIRST_RETRY_MS = 200;
    static final long MAX_RETRY_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(PrototypeStoreProcessor.class);

    private final Supplier<Integer> expectedDim;
    private final DlqSink dlq;
    private final Deserializer<LabelPrototype> deserializer;
    private final StreamMetrics metrics;
    private KeyValueStore<String, LabelPrototype> store;
    private ProcessorContext<Void, Void> context;

    public PrototypeStoreProcessor(Supplier<Integer> expectedDim, DlqSink dlq, Deserializer<LabelPrototype> deserializer,
                                   StreamMetrics metrics) {
        this.expectedDim = expectedDim;
        this.dlq = dlq;
        this.deserializer = deserializer;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(StreamTopology.PROTOTYPE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String key = record.key();
        if (key == null) {
            reject(record, "prototype record without a key (label id)");
            return;
        }
        if (record.value() == null) {
            store.delete(key);
            LOG.info("prototype retired: label={}", key);
            return;
        }
        LabelPrototype p;
        try {
            p = deserializeRetrying(record.value());
        } catch (RuntimeException e) {
            reject(record, "undeserializable prototype: " + BatchingProcessor.describe(e));
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

    /** Retries while the failure is of infrastructure; throws the record's own failure at once. */
    private LabelPrototype deserializeRetrying(byte[] value) {
        long wait = FIRST_RETRY_MS;
        while (true) {
            try {
                LabelPrototype p = deserializer.deserialize(Topics.LABEL_PROTOTYPES, value);
                metrics.infrastructureRecovered();
                return p;
            } catch (RuntimeException e) {
                Optional<String> dependency = Failures.infrastructure(e);
                if (dependency.isEmpty()) {
                    throw e;
                }
                metrics.infrastructureFailure(dependency.get(), BatchingProcessor.describe(e));
                LOG.warn("prototype update waits: {} unavailable ({}); retrying in {} ms", dependency.get(),
                        BatchingProcessor.describe(e), wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InfrastructureException(dependency.get(), "interrupted while waiting for " + dependency.get(), ie);
                }
                wait = Math.min(MAX_RETRY_MS, wait * 2);
            }
        }
    }

    private void reject(Record<String, byte[]> record, String problem) {
        LOG.warn("prototype rejected: {}", problem);
        metrics.dlq("prototype");
        Optional<RecordMetadata> md = context.recordMetadata();
        byte[] bytes = record.value();
        dlq.send(record.key(), bytes, "prototype", problem, md.map(RecordMetadata::topic).orElse(Topics.LABEL_PROTOTYPES),
                md.map(RecordMetadata::partition).orElse(-1), md.map(RecordMetadata::offset).orElse(-1L));
    }
}
