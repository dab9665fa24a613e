package org.triage.ingest.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.triage.schemas.Topics;

/** Builds a bounded DLQ record: the original bytes (truncated past a limit, with a header saying so) and the cause. */
public final class DeadLetter {
    public static final String HEADER_SOURCE = "source";
    public static final String HEADER_TRUNCATED = "triage.truncated.original.bytes";

    private DeadLetter() {
    }

    public static byte[] boundedValue(byte[] original, int maxBytes) {
        return original.length <= maxBytes ? original : Arrays.copyOf(original, maxBytes);
    }

    public static List<Header> headers(byte[] original, int maxBytes, String error, String stage, String source) {
        List<Header> h = new ArrayList<>();
        h.add(new RecordHeader(Topics.DLQ_HEADER_ERROR, utf8(error)));
        h.add(new RecordHeader(Topics.DLQ_HEADER_STAGE, utf8(stage)));
        h.add(new RecordHeader(HEADER_SOURCE, utf8(source)));
        if (original.length > maxBytes) {
            h.add(new RecordHeader(HEADER_TRUNCATED, utf8(Integer.toString(original.length))));
        }
        return h;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
