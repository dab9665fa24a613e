package org.triage.stream.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.triage.schemas.Topics;

/**
 * One input lane of the stream: its source topic and the names of its nodes and stores. Each lane
 * is a sub-topology of its own, so its tasks are scheduled beside the other lane's instead of
 * behind its backlog (within one task, Streams takes records in timestamp order, and a STAT film
 * sent after 500 routine ones would wait for all of them).
 *
 * <p>The routine lane keeps the node and store names the stream had before lanes existed: a store's
 * changelog topic is named after it, so renaming would lose a running deployment's state.
 */
public record Lane(String name, String topic, String source, String batcher, String pendingStore, String sketchStore,
                   String findingsSink, String embeddingsSink, String alertsSink, String dlqSink, String novelFilmsSink,
                   String thumbnailer) {
    /** On the STAT lane's copy of a film on {@code radiographs}: the film was scored there; the routine lane skips it. */
    public static final String SCORED_IN_HEADER = "triage.scored-in-lane";

    public static final Lane ROUTINE = new Lane("routine", Topics.RADIOGRAPHS, StreamTopology.SOURCE, StreamTopology.BATCHER,
            StreamTopology.PENDING_STORE, StreamTopology.SKETCH_STORE, StreamTopology.FINDINGS_SINK, StreamTopology.EMBEDDINGS_SINK,
            StreamTopology.ALERTS_SINK, StreamTopology.DLQ_SINK, StreamTopology.NOVEL_FILMS_SINK, StreamTopology.THUMBNAILER);

    public static final Lane STAT = new Lane("stat", Topics.RADIOGRAPHS_STAT, "stat-radiographs-source", "stat-batcher",
            "stat-pending-batch", "stat-distance-sketches", "stat-findings-sink", "stat-embeddings-sink", "stat-alerts-sink",
            "stat-dlq-sink", "stat-novel-films-sink", "stat-thumbnailer");

    /** The STAT lane's node that copies each film onto radiographs. */
    public static final String STAT_COPY = "stat-copy";
    public static final String STAT_COPY_SINK = "stat-copy-sink";

    /** Whether this record on radiographs is the STAT lane's copy of a film it scored itself. */
    public static boolean scoredElsewhere(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(SCORED_IN_HEADER);
        return h != null && h.value() != null && STAT.name.equals(new String(h.value(), StandardCharsets.UTF_8));
    }

    static byte[] scoredInStat() {
        return STAT.name.getBytes(StandardCharsets.UTF_8);
    }
}
