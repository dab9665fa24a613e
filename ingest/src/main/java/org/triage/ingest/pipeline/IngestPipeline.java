package org.triage.ingest.pipeline;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Priority;
import org.triage.events.RadiographEvent;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.DicomReader;
import org.triage.ingest.dicom.MemoryBudget;
import org.triage.ingest.dicom.SafeText;
import org.triage.ingest.dicom.Tag;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.image.DecodedImage;
import org.triage.ingest.image.ImageFileDecoder;
import org.triage.ingest.image.Normaliser;
import org.triage.ingest.image.PixelDecoder;
import org.triage.ingest.metrics.IngestMetrics;
import org.triage.ingest.metrics.IngestMetrics.Cause;

/**
 * Parse, decode, normalise, pseudonymise, publish: the path shared by C-STORE, STOW-RS and files.
 * Rejected input goes to the DLQ with its cause; a Kafka failure is reported as a retryable failure.
 * Logs carry UIDs and causes only, never patient attributes. Every instance handed in is counted once as received and
 * once by its outcome ({@link IngestMetrics}: stored, rejected, or a retryable failure).
 */
public final class IngestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

    private final DicomLimits limits;
    private final DicomReader reader;
    private final PixelDecoder decoder;
    private final ImageFileDecoder fileDecoder;
    private final Normaliser normaliser;
    private final EventFactory events;
    private final EventSink sink;
    private final MemoryBudget budget;
    private final IngestMetrics metrics;
    /** Bytes of working memory per pixel while decoding and encoding (output, resampling, PNG; RGB JPEG rasters more). */
    private static final long BYTES_PER_PIXEL_MONO = 8;
    private static final long BYTES_PER_PIXEL_COLOUR = 24;
    static final long BUDGET_WAIT_MILLIS = 10_000;

    public IngestPipeline(DicomLimits limits, int maxSide, Pseudonymiser pseudonymiser, EventSink sink) {
        this(limits, maxSide, pseudonymiser, sink, null);
    }

    /** @param references reference mode (image in a shared folder, URI in the event); null for inline */
    public IngestPipeline(DicomLimits limits, int maxSide, Pseudonymiser pseudonymiser, EventSink sink, ReferenceStore references) {
        this(limits, maxSide, pseudonymiser, sink, references, MemoryBudget.unlimited());
    }

    /** @param budget bounds the bytes held by datasets in flight and images being decoded, across all callers */
    public IngestPipeline(DicomLimits limits, int maxSide, Pseudonymiser pseudonymiser, EventSink sink, ReferenceStore references,
                          MemoryBudget budget) {
        this(limits, maxSide, pseudonymiser, sink, references, budget, new IngestMetrics());
    }

    /** @param metrics where outcomes are counted (the memory budget's gauges are bound to it here) */
    public IngestPipeline(DicomLimits limits, int maxSide, Pseudonymiser pseudonymiser, EventSink sink, ReferenceStore references,
                          MemoryBudget budget, IngestMetrics metrics) {
        this.budget = budget;
        this.metrics = metrics;
        metrics.bindMemoryBudget(budget::used, budget.capacity());
        this.limits = limits;
        this.reader = new DicomReader(limits);
        this.decoder = new PixelDecoder(limits);
        this.fileDecoder = new ImageFileDecoder(limits);
        this.normaliser = new Normaliser(maxSide);
        this.events = new EventFactory(pseudonymiser, references);
        this.sink = sink;
    }

    public DicomLimits limits() {
        return limits;
    }

    public MemoryBudget memoryBudget() {
        return budget;
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /**
     * Refuses input that never reached parsing (an oversized or missing dataset, a STOW part of the wrong type): DLQ
     * (stage {@code receive}) with {@code status}, or 0xA700 when even the DLQ record failed.
     *
     * @param original what to quarantine, empty when nothing was kept
     */
    public IngestResult rejectUnread(String key, String sopClass, byte[] original, String error, int status, String source) {
        metrics.received(source, original == null ? 0 : original.length);
        return reject(key, original, new DicomException(error, status), "receive", source, sopClass);
    }

    /**
     * A C-STORE dataset in the negotiated transfer syntax.
     *
     * @param dlqBytes what to keep in the DLQ on failure (a Part 10 wrapping of the dataset)
     */
    public IngestResult ingestDataset(byte[] dataset, String transferSyntax, String source, Priority priority, String keyHint,
                                      java.util.function.Supplier<byte[]> dlqBytes) {
        long t0 = System.nanoTime();
        metrics.received(source, dataset.length);
        DicomObject ds;
        try {
            ds = reader.readDataset(dataset, 0, transferSyntax);
        } catch (DicomException e) {
            return reject(keyHint, dlqBytes.get(), e, "parse", source, null);
        }
        return decodeAndPublish(ds, source, priority, List.of(), keyHint, dlqBytes, t0);
    }

    /** A Part 10 file (STOW-RS part or a file on disk). */
    public IngestResult ingestPart10(byte[] file, String source, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        return part10(file, source, labels, t0);
    }

    private IngestResult part10(byte[] file, String source, List<String> labels, long t0) {
        DicomObject ds;
        try {
            ds = reader.readFile(file);
        } catch (DicomException e) {
            return reject(null, file, e, "parse", source, null);
        }
        return decodeAndPublish(ds, source, Priority.ROUTINE, labels, null, () -> file, t0);
    }

    /** A PNG or JPEG file from a dataset replay. */
    public IngestResult ingestImageFile(byte[] file, String source, String patientId, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        return imageFile(file, source, patientId, labels, t0);
    }

    private IngestResult imageFile(byte[] file, String source, String patientId, List<String> labels, long t0) {
        try {
            DecodedImage decoded = fileDecoder.decode(file);
            Normaliser.Normalised norm = normaliser.normalise(decoded.image());
            RadiographEvent ev;
            try {
                ev = events.fromImageFile(file, decoded, norm, source, patientId, labels);
            } catch (java.io.IOException e) {
                return storeFailure(EventFactory.contentUid(Normaliser.sha256(file)), e);
            }
            return publish(ev, file, source, t0);
        } catch (DicomException e) {
            return reject(null, file, e, "decode", source, null);
        }
    }

    /** Routes by content: Part 10 DICOM, PNG, JPEG; anything else is rejected to the DLQ. */
    public IngestResult ingestFileBytes(byte[] file, String source, String patientId, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        if (ImageFileDecoder.isPng(file) || ImageFileDecoder.isJpeg(file)) {
            return imageFile(file, source, patientId, labels, t0);
        }
        return part10(file, source, labels, t0);
    }

    private IngestResult decodeAndPublish(DicomObject ds, String source, Priority priority, List<String> labels, String keyHint,
                                          java.util.function.Supplier<byte[]> dlqBytes, long t0) {
        String sopUid = ds.getString(Tag.SOP_INSTANCE_UID);
        String sopClass = ds.getString(Tag.SOP_CLASS_UID);
        String key = sopUid != null ? sopUid : keyHint;
        if (sopClass != null && !Uids.isStorage(sopClass)) {
            return reject(key, dlqBytes.get(), new DicomException("SOP class " + SafeText.uid(sopClass) + " is not an image class ingest accepts",
                    DicomException.Status.SOP_CLASS_NOT_SUPPORTED), "parse", source, sopClass);
        }
        Normaliser.Normalised norm;
        DecodedImage decoded;
        long working = workingBytes(ds);
        try {
            if (working > budget.capacity()) {
                return reject(key, dlqBytes.get(), new DicomException("over the memory budget: image needs " + working
                        + " bytes of working memory, the budget is " + budget.capacity(), DicomException.Status.OUT_OF_RESOURCES), "decode", source, sopClass);
            }
            if (!budget.reserve(working, BUDGET_WAIT_MILLIS)) {
                LOG.warn("memory budget exhausted; {} from {} refused for now", key, source);
                metrics.retryable(Cause.MEMORY_BUDGET);
                return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, sopClass, "server busy (memory budget), retry later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.retryable(Cause.INTERRUPTED);
            return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, sopClass, "interrupted");
        }
        try {
            decoded = decoder.decode(ds);
            norm = normaliser.normalise(decoded.image());
        } catch (DicomException e) {
            return reject(key, dlqBytes.get(), e, "decode", source, sopClass);
        } catch (RuntimeException e) {
            // A decoder bug must not kill the association; it is still the input's problem for the sender. Only the
            // exception's type goes into the cause: a runtime message may quote a dataset value (e.g. a number format error).
            return reject(key, dlqBytes.get(), new DicomException("decoder failed: " + e.getClass().getName(), DicomException.Status.CANNOT_UNDERSTAND, e),
                    "decode", source, sopClass);
        } finally {
            budget.release(working);
        }
        RadiographEvent ev;
        try {
            ev = events.fromDicom(ds, decoded, norm, source, priority, labels);
        } catch (java.io.IOException e) {
            return storeFailure(key, e);
        }
        return publish(ev, dlqBytes.get(), source, t0);
    }

    /** Working memory to reserve for decoding, from the header; absurd geometry is refused by the decoder itself. */
    private long workingBytes(DicomObject ds) {
        try {
            long rows = ds.getInt(Tag.ROWS, 0);
            long cols = ds.getInt(Tag.COLUMNS, 0);
            if (rows <= 0 || cols <= 0 || rows > limits.maxRows() || cols > limits.maxColumns()
                    || 2 * rows * cols > limits.maxDecompressedBytes()) {
                return 0; // the decoder refuses this before allocating anything
            }
            boolean colour = ds.getInt(Tag.SAMPLES_PER_PIXEL, 1) > 1;
            return rows * cols * (colour ? BYTES_PER_PIXEL_COLOUR : BYTES_PER_PIXEL_MONO);
        } catch (DicomException e) {
            return 0;
        }
    }

    /** The reference store could not take the image: like Kafka being down, a retryable failure. */
    private IngestResult storeFailure(String key, java.io.IOException e) {
        LOG.warn("could not write the image of {} to the reference store: {}", key, e.getMessage());
        metrics.retryable(Cause.REFERENCE_STORE);
        return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, null, "image store unavailable, retry later");
    }

    private IngestResult publish(RadiographEvent ev, byte[] original, String source, long t0) {
        String key = ev.getSopInstanceUid();
        try {
            int bytes = sink.publish(key, ev);
            metrics.stored(source, bytes, t0);
            LOG.debug("published {} from {}", key, source);
            return new IngestResult(0, key, ev.getSopClassUid(), null);
        } catch (EventTooLargeException e) {
            return reject(key, original, new DicomException(e.getMessage(), DicomException.Status.PROCESSING_FAILURE), "publish", source,
                    ev.getSopClassUid());
        } catch (PublishException e) {
            LOG.warn("Kafka did not acknowledge {} from {}: {}", key, source, e.getMessage());
            metrics.retryable(Cause.KAFKA);
            return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, ev.getSopClassUid(),
                    "not stored, retry later: " + e.getMessage());
        }
    }

    private IngestResult reject(String key, byte[] original, DicomException e, String stage, String source, String sopClass) {
        LOG.info("rejected {} from {} at {}: {}", key == null ? "an instance" : key, source, stage, e.getMessage());
        boolean recorded = sink.deadLetter(key, original, e.getMessage(), stage, source);
        metrics.rejected(stage, e.status(), recorded);
        int status = recorded ? e.status() : DicomException.Status.OUT_OF_RESOURCES;
        return new IngestResult(status, key, sopClass, e.getMessage());
    }
}
