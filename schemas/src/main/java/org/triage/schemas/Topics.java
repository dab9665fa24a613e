package org.triage.schemas;

import java.util.List;

/** Topic names of the architecture (a contract: operators' runbooks and scripts use them). */
public final class Topics {
    public static final String RADIOGRAPHS = "radiographs";
    /**
     * The STAT lane: URGENT and STAT radiographs, scored ahead of any backlog on {@link #RADIOGRAPHS} by a
     * sub-topology of their own, then copied onto {@link #RADIOGRAPHS} (marked as scored) so that topic
     * stays the log of every film.
     */
    public static final String RADIOGRAPHS_STAT = "radiographs-stat";
    public static final String RADIOGRAPHS_DLQ = "radiographs-dlq";
    public static final String LABEL_PROTOTYPES = "label-prototypes";
    public static final String FINDINGS = "findings";
    public static final String ALERTS = "alerts";
    /**
     * One result per study (all its films taken together) once it has had no new film for a quiet time, again with
     * version + 1 when a late film changes it. Compacted, keyed by study UID and model version.
     */
    public static final String STUDY_RESULTS = "study-results";
    public static final String ALERT_ACTIONS = "alert-actions";
    public static final String LABELS = "labels";
    public static final String MODEL_RELEASES = "model-releases";
    public static final String EMBEDDINGS = "embeddings";
    /** Small 8-bit PNG previews keyed by SOP Instance UID (compacted), so a page can show a film without reading radiographs. */
    public static final String THUMBNAILS = "thumbnails";
    /** What the results service could not re-identify or deliver: source key and bytes, headers as on every DLQ. */
    public static final String RESULTS_DLQ = "results-dlq";
    /** Where the schema registry keeps its schemas (compacted). */
    public static final String SCHEMAS = "_schemas";

    /** Headers every DLQ record carries. */
    public static final String DLQ_HEADER_ERROR = "triage.error";
    public static final String DLQ_HEADER_STAGE = "triage.stage";
    public static final String DLQ_HEADER_SOURCE_TOPIC = "triage.source.topic";
    public static final String DLQ_HEADER_SOURCE_PARTITION = "triage.source.partition";
    public static final String DLQ_HEADER_SOURCE_OFFSET = "triage.source.offset";

    public static final List<String> ALL = List.of(RADIOGRAPHS, RADIOGRAPHS_STAT, RADIOGRAPHS_DLQ, LABEL_PROTOTYPES, FINDINGS, ALERTS,
            STUDY_RESULTS, ALERT_ACTIONS, LABELS, MODEL_RELEASES, EMBEDDINGS, THUMBNAILS, RESULTS_DLQ);

    private Topics() {
    }
}
