package org.triage.ingest.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.triage.schemas.Topics;

/**
 * Builds a DLQ record that points at the quarantined original instead of carrying it (the original of a
 * rejected DICOM file holds PHI): value = a small UTF-8 JSON document, headers = cause, stage, source and
 * where the original is.
 */
public final class DeadLetter {
    public static final String HEADER_SOURCE = "source";
    public static final String HEADER_QUARANTINE_URI = "triage.quarantine.uri";
    public static final String HEADER_QUARANTINE_DROPPED = "triage.quarantine.dropped";
    public static final String HEADER_SHA256 = "triage.original.sha256";
    public static final String HEADER_BYTES = "triage.original.bytes";
    /** {@code triage.quarantine.dropped} when there was no original to keep (a dataset discarded as over the limit, a file not read). */
    public static final String NO_ORIGINAL = "no-original";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetter() {
    }

    /** {"quarantineUri", "sha256", "sizeBytes", "error", "stage", "source"[, "quarantineDropped"]}. */
    public static byte[] value(Quarantine.Entry q, String error, String stage, String source) {
        ObjectNode o = JSON.createObjectNode();
        o.put("quarantineUri", q.uri());
        o.put("sha256", q.sha256());
        o.put("sizeBytes", q.sizeBytes());
        o.put("error", error);
        o.put("stage", stage);
        o.put("source", source);
        if (q.dropped() != null) {
            o.put("quarantineDropped", q.dropped());
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot happen for a tree of strings and numbers", e);
        }
    }

    public static List<Header> headers(Quarantine.Entry q, String error, String stage, String source) {
        List<Header> h = new ArrayList<>();
        h.add(new RecordHeader(Topics.DLQ_HEADER_ERROR, utf8(error)));
        h.add(new RecordHeader(Topics.DLQ_HEADER_STAGE, utf8(stage)));
        h.add(new RecordHeader(HEADER_SOURCE, utf8(source)));
        if (q.uri() != null) {
            h.add(new RecordHeader(HEADER_QUARANTINE_URI, utf8(q.uri())));
        }
        if (q.sha256() != null) {
            h.add(new RecordHeader(HEADER_SHA256, utf8(q.sha256())));
        }
        h.add(new RecordHeader(HEADER_BYTES, utf8(Long.toString(q.sizeBytes()))));
        if (q.dropped() != null) {
            h.add(new RecordHeader(HEADER_QUARANTINE_DROPPED, utf8(q.dropped())));
        }
        return h;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
