package org.triage.schemas;

/**
 * How large a record of this system can be: the one place every producer, consumer, topic and
 * broker takes its size limits from.
 *
 * <p>The largest record is a radiograph event with its image inline. Ingest downsamples to at
 * most {@code --max-side} pixels on the long side (never above {@link #MAX_SIDE_LIMIT}) and
 * stores a 16-bit grey PNG, so the worst case is an incompressible (noisy) square image of
 * that side: raw samples plus PNG's per-row filter byte, deflate's worst-case expansion and the
 * chunk framing. Everything else in an event (UIDs, labels, pseudonym) fits in
 * {@link #METADATA_ALLOWANCE}. A DLQ record carries the original event plus a few headers, so
 * the request limit adds one more allowance on top of the event.
 */
public final class RecordSizes {
    /** Upper bound of ingest's {@code --max-side}: 2048 px covers a full-resolution 35x43 cm DX at 0.2 mm. */
    public static final int MAX_SIDE_LIMIT = 2048;
    /** Room for everything in an event that is not the image. */
    public static final int METADATA_ALLOWANCE = 256 * 1024;
    /** The largest radiograph event ingest can emit (the default of its {@code --max-event-mb}). */
    public static final int MAX_EVENT_BYTES = roundUpToMiB(worstCasePng16(MAX_SIDE_LIMIT) + METADATA_ALLOWANCE);
    /**
     * Producers' {@code max.request.size}, topics' {@code max.message.bytes}, brokers'
     * {@code message.max.bytes}: one event plus DLQ headers and record-batch framing.
     */
    public static final int MAX_REQUEST_BYTES = MAX_EVENT_BYTES + 1024 * 1024;
    /**
     * Consumers' {@code max.partition.fetch.bytes} on image topics: several events per fetch, so
     * a batcher gets whole batches instead of a handful of images per poll. (A record larger than
     * this is still returned: the limit is not absolute.)
     */
    public static final int IMAGE_FETCH_BYTES = 2 * MAX_REQUEST_BYTES;

    private RecordSizes() {
    }

    /** Bytes of a 16-bit grey PNG of {@code side x side} pixels in the worst case (incompressible samples). */
    public static long worstCasePng16(int side) {
        if (side < 1) {
            throw new IllegalArgumentException("side must be positive, got " + side);
        }
        long raw = (long) side * (2L * side + 1); // each row: a filter byte + 2 bytes a sample
        // zlib's deflateBound(): the most deflate (with its wrapper) can expand incompressible input.
        long zlib = raw + (raw >> 12) + (raw >> 14) + (raw >> 25) + 13 + 6;
        long idatChunks = (zlib + 8191) / 8192; // encoders split IDAT (ImageIO: 32 KiB); assume 8 KiB, 12 bytes framing each
        return 8 + 25 + zlib + 12 * idatChunks + 12; // signature, IHDR, IDAT data + framing, IEND
    }

    /** The largest event for a given {@code --max-side}: what ingest can emit at that setting. */
    public static long maxEventBytesForSide(int maxSide) {
        return worstCasePng16(maxSide) + METADATA_ALLOWANCE;
    }

    private static int roundUpToMiB(long bytes) {
        long mib = 1024L * 1024;
        return Math.toIntExact((bytes + mib - 1) / mib * mib);
    }
}
