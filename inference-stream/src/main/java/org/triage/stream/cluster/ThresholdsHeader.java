package org.triage.stream.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The label thresholds a film was judged with, carried on its novel-films record: the clusterer
 * judges a cluster's centre with the same thresholds (a QUANTILE threshold lives in the batcher's
 * sketches, which the clusterer cannot read), as the novelty reference travels for the same reason.
 */
public final class ThresholdsHeader {
    public static final String HEADER = "triage.thresholds";
    private static final byte FORMAT = 1;

    private ThresholdsHeader() {
    }

    public static byte[] encode(Map<String, Float> thresholds) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            Map<String, Float> sorted = new TreeMap<>(thresholds); // same thresholds, same bytes
            out.writeInt(sorted.size());
            for (Map.Entry<String, Float> e : sorted.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeFloat(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The thresholds on the record; empty when the header is absent or unreadable (labels then explain by distance only). */
    public static Map<String, Float> decode(Headers headers) {
        Header h = headers.lastHeader(HEADER);
        if (h == null || h.value() == null) {
            return Map.of();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(h.value()))) {
            if (in.readByte() != FORMAT) {
                return Map.of();
            }
            int n = in.readInt();
            Map<String, Float> out = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                out.put(in.readUTF(), in.readFloat());
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }
}
