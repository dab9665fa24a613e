package org.triage.stream.study;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.triage.events.Finding;
import org.triage.events.StudyResult;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.serde.EventSerdes;

/**
 * The study sub-topology, added to the routine application:
 * <pre>
 *  findings ─► study keyer ─► &lt;app&gt;-findings-by-study (key: study | model) ─► study grouper ─► study-results
 *                                                    [study-films, study-groups, study-due stores, changelogged]
 * </pre>
 * Findings of both lanes arrive on {@code findings}, so a STAT film and its routine partner make one study.
 */
public final class StudyTopology {
    public static final String FINDINGS_SOURCE = "study-findings-source";
    public static final String KEYER = "study-keyer";
    public static final String BY_STUDY_SINK = "findings-by-study-sink";
    public static final String BY_STUDY_SOURCE = "findings-by-study-source";
    public static final String GROUPER = "study-grouper";
    public static final String RESULTS_SINK = "study-results-sink";
    public static final String FILMS_STORE = "study-films";
    public static final String GROUPS_STORE = "study-groups";
    public static final String DUE_STORE = "study-due";

    private StudyTopology() {
    }

    public static void addTo(Topology t, StudySettings settings, EventSerdes serdes, StreamMetrics metrics) {
        if (!settings.enabled()) {
            return;
        }
        Serde<Finding> findingSerde = serdes.value(Finding.class);
        Serde<StudyResult> resultSerde = serdes.value(StudyResult.class);
        t.addSource(FINDINGS_SOURCE, Serdes.String().deserializer(), findingSerde.deserializer(), Topics.FINDINGS);
        t.addProcessor(KEYER, () -> new StudyKeyProcessor(metrics), FINDINGS_SOURCE);
        t.addSink(BY_STUDY_SINK, settings.topic(), Serdes.String().serializer(), findingSerde.serializer(), KEYER);
        t.addSource(BY_STUDY_SOURCE, Serdes.String().deserializer(), findingSerde.deserializer(), settings.topic());
        t.addProcessor(GROUPER, () -> new StudyGrouperProcessor(settings, metrics, FILMS_STORE, GROUPS_STORE, DUE_STORE), BY_STUDY_SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FILMS_STORE), Serdes.String(), findingSerde), GROUPER);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GROUPS_STORE), Serdes.String(), Serdes.ByteArray()),
                GROUPER);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DUE_STORE), Serdes.String(), Serdes.ByteArray()),
                GROUPER);
        t.addSink(RESULTS_SINK, Topics.STUDY_RESULTS, Serdes.String().serializer(), resultSerde.serializer(), GROUPER);
    }
}
