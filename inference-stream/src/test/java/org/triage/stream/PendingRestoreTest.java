package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.schemas.registry.SchemaRegistryException;
import org.triage.schemas.serde.AvroSerdeException;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.PlainAvroSerdes;
import org.triage.stream.topology.BatchingProcessor;
import org.triage.stream.topology.InfrastructureException;
import org.triage.stream.topology.PendingRecord;
import org.triage.stream.topology.PrototypeCache;
import org.triage.stream.topology.SourceReader;
import org.triage.stream.topology.StreamSettings;
import org.triage.stream.topology.StreamTopology;

/**
 * What a task does with the records that were pending when it moved: the pending store holds
 * only their offsets, so the batcher re-reads them from the source partition (and says why in
 * the DLQ when it cannot). The test driver wipes state on close, so this drives the processor
 * directly with a mock context and a store that already holds pointers, as after a restore.
 */
class PendingRestoreTest {
    private final ModelHolder models = new ModelHolder();
    private final ExecutorService pool = Executors.newFixedThreadPool(1);
    private final StreamMetrics metrics = new StreamMetrics();
    private final Map<Long, byte[]> source = new HashMap<>();
    private final List<Long> reads = new ArrayList<>();
    private boolean brokerDown;
    private MockProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> pending;

    private final SourceReader reader = new SourceReader() {
        @Override
        public Optional<byte[]> read(String topic, int partition, long offset) {
            if (brokerDown) {
                throw new InfrastructureException("kafka", "no answer reading " + topic + "-" + partition + "@" + offset, null);
            }
            reads.add(offset);
            return Optional.ofNullable(source.get(offset));
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        models.close();
    }

    private BatchingProcessor restoredTask(String... sops) {
        models.swap(new FakeEmbedder("v1", 2));
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000_000);
        pending = store(StreamTopology.PENDING_STORE);
        store(StreamTopology.SKETCH_STORE);
        KeyValueStore<String, LabelPrototype> prototypes = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StreamTopology.PROTOTYPE_STORE), Serdes.String(),
                PlainAvroSerdes.serde(LabelPrototype.class)).withLoggingDisabled().build();
        prototypes.init(context.getStateStoreContext(), prototypes);
        context.addStateStore(prototypes);
        var ser = PlainAvroSerdes.serde(RadiographEvent.class).serializer();
        for (int i = 0; i < sops.length; i++) {
            source.put((long) i, ser.serialize(Topics.RADIOGRAPHS, Events.radiograph(sops[i], FakeEmbedder.image(i, 0), 999_000)));
            pending.put(sops[i], PendingRecord.pointer(sops[i], i, 999_000, Topics.RADIOGRAPHS, 0, i).encode());
        }
        BatchingProcessor p = new BatchingProcessor(StreamSettings.defaults().withBatching(8, 100).withPipelined(false)
                .withPreprocessThreads(1), models, new PrototypeCache(), PlainAvroSerdes.serde(RadiographEvent.class).deserializer(), pool,
                null, metrics, () -> reader);
        p.init(context);
        return p;
    }

    private KeyValueStore<String, byte[]> store(String name) {
        KeyValueStore<String, byte[]> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    private void tick() {
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 1_000);
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));
    }

    private List<String> forwarded(String child, Class<?> type) {
        List<String> out = new ArrayList<>();
        for (var f : context.forwarded()) {
            Record<? extends String, ? extends Object> r = f.record();
            if (child.equals(f.childName().orElse(null)) && type.isInstance(r.value())) {
                out.add(r.key());
            }
        }
        return out;
    }

    @Test
    void recordsPendingAtTheMoveAreReReadByOffsetScoredOnceAndLeaveTheStore() {
        BatchingProcessor p = restoredTask("sop-a", "sop-b");
        tick();
        assertEquals(List.of("sop-a", "sop-b"), forwarded(StreamTopology.FINDINGS_SINK, Finding.class));
        assertEquals(List.of(0L, 1L), reads, "each re-read once, by its offset");
        assertNull(pending.get("sop-a"));
        assertNull(pending.get("sop-b"));
        p.close();
    }

    @Test
    void aRecordGoneFromTheLogGoesToTheDlqWithTheReasonAndTheOthersAreScored() {
        BatchingProcessor p = restoredTask("sop-a", "sop-b");
        source.remove(0L);
        tick();
        assertEquals(List.of("sop-b"), forwarded(StreamTopology.FINDINGS_SINK, Finding.class));
        var dlq = context.forwarded().stream().filter(f -> StreamTopology.DLQ_SINK.equals(f.childName().orElse(null))).toList();
        assertEquals(1, dlq.size());
        String error = new String(dlq.get(0).record().headers().lastHeader(Topics.DLQ_HEADER_ERROR).value(), StandardCharsets.UTF_8);
        assertTrue(error.contains("no longer in radiographs-0@0"), error);
        assertNull(pending.get("sop-a"), "the DLQ'd record left the store in the same transaction");
        p.close();
    }

    @Test
    void whenTheBrokerCannotAnswerNothingLeavesTheIndexOrTheStoreAndTheLeaseIsReleased() {
        BatchingProcessor p = restoredTask("sop-a", "sop-b");
        brokerDown = true;
        assertThrows(InfrastructureException.class, this::tick);
        assertTrue(context.forwarded().isEmpty(), "nothing emitted, nothing DLQ'd");
        assertTrue(pending.get("sop-a") != null && pending.get("sop-b") != null, "both still pending");
        assertTrue(models.acquire().map(l -> {
            l.close();
            return true;
        }).orElse(false), "the model is still usable: no lease leaked");
        brokerDown = false;
        tick();
        assertEquals(List.of("sop-a", "sop-b"), forwarded(StreamTopology.FINDINGS_SINK, Finding.class), "retried: the same batch");
        p.close();
    }

    @Test
    void aRegistryFailureOnARestoredRecordIsRetriedNotDlqd() {
        models.swap(new FakeEmbedder("v1", 2));
        BatchingProcessor p = restoredTask("sop-a");
        p.close();
        // Same store, a deserializer that cannot reach the registry.
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000_000);
        var broken = new org.apache.kafka.common.serialization.Deserializer<RadiographEvent>() {
            @Override
            public RadiographEvent deserialize(String topic, byte[] data) {
                throw new AvroSerdeException("fetching schema id 7 failed", new SchemaRegistryException(503, 50301, "unavailable"));
            }
        };
        KeyValueStore<String, byte[]> kept = pending;
        kept.init(context.getStateStoreContext(), kept);
        context.addStateStore(kept);
        store(StreamTopology.SKETCH_STORE);
        KeyValueStore<String, LabelPrototype> prototypes = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StreamTopology.PROTOTYPE_STORE), Serdes.String(),
                PlainAvroSerdes.serde(LabelPrototype.class)).withLoggingDisabled().build();
        prototypes.init(context.getStateStoreContext(), prototypes);
        context.addStateStore(prototypes);
        BatchingProcessor q = new BatchingProcessor(StreamSettings.defaults().withBatching(8, 100).withPipelined(false)
                .withPreprocessThreads(1), models, new PrototypeCache(), broken, pool, null, metrics, () -> reader);
        q.init(context);
        assertThrows(InfrastructureException.class, this::tick);
        assertTrue(context.forwarded().isEmpty(), "not DLQ'd");
        assertTrue(kept.get("sop-a") != null, "still pending");
        q.close();
    }
}
