package org.triage.ingest.pipeline;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Priority;
import org.triage.events.RadiographEvent;
import org.triage.ingest.deid.Deidentifier;
import org.triage.ingest.deid.ReidentificationStore;
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
 * Parse, decode, normalise, de-identify, publish: the path shared by C-STORE, STOW-RS and files.
 * Rejected input goes to the DLQ with its cause; a Kafka failure is reported as a retryable failure.
 * Logs carry replacement UIDs and causes only, never patient attributes or the sending device. Every instance handed in is counted once as received and
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
    private final Deidentifier deid;
    private final ReidentificationStore reidentification;
    private final EventSink sink;
    private final MemoryBudget budget;
    private final IngestMetrics metrics;
    /** Bytes of working memory per pixel while decoding and encoding (output, resampling, PNG; RGB JPEG rasters more). */
    private static final long BYTES_PER_PIXEL_MONO = 8;
    private static final long BYTES_PER_PIXEL_COLOUR = 24;
    static final long BUDGET_WAIT_MILLIS = 10_000;

    public IngestPipeline(DicomLimits limits, int maxSide, Deidentifier deid, ReidentificationStore reidentification, EventSink sink) {
        this(limits, maxSide, deid, reidentification, sink, null, MemoryBudget.unlimited(), new IngestMetrics());
    }

    /**
     * @param reidentification where each stored instance's originals are kept (before its event is published)
     * @param references reference mode (image in a shared folder, URI in the event); null for inline
     * @param budget bounds the bytes held by datasets in flight and images being decoded, across all callers
     * @param metrics where outcomes are counted (the memory budget's gauges are bound to it here)
     */
    public IngestPipeline(DicomLimits limits, int maxSide, Deidentifier deid, ReidentificationStore reidentification, EventSink sink,
                          ReferenceStore references, MemoryBudget budget, IngestMetrics metrics) {
        this.budget = budget;
        this.metrics = metrics;
        metrics.bindMemoryBudget(budget::used, budget.capacity());
        this.limits = limits;
        this.reader = new DicomReader(limits);
        this.decoder = new PixelDecoder(limits);
        this.fileDecoder = new ImageFileDecoder(limits);
        this.normaliser = new Normaliser(maxSide);
        this.deid = deid;
        this.reidentification = reidentification;
        this.events = new EventFactory(references);
        this.sink = sink;
    }

    public Deidentifier deidentifier() {
        return deid;
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
     * @param senderSopUid the SOP Instance UID the sender named (C-STORE command), if any; the DLQ key is its replacement
     * @param original what to quarantine, empty when nothing was kept
     */
    public IngestResult rejectUnread(String senderSopUid, String sopClass, byte[] original, String error, int status, String source) {
        metrics.received(source, original == null ? 0 : original.length);
        return reject(deid.replaceUid(senderSopUid), senderSopUid, original, new DicomException(error, status), "receive", source, sopClass);
    }

    /**
     * A C-STORE dataset in the negotiated transfer syntax.
     *
     * @param senderSopUid the C-STORE command's Affected SOP Instance UID, for a dataset that cannot be parsed
     * @param dlqBytes what to keep in the DLQ on failure (a Part 10 wrapping of the dataset)
     */
    public IngestResult ingestDataset(byte[] dataset, String transferSyntax, String source, Priority priority, String senderSopUid,
                                      java.util.function.Supplier<byte[]> dlqBytes) {
        long t0 = System.nanoTime();
        metrics.received(source, dataset.length);
        DicomObject ds;
        try {
            ds = reader.readDataset(dataset, 0, transferSyntax);
        } catch (DicomException e) {
            return reject(deid.replaceUid(senderSopUid), senderSopUid, dlqBytes.get(), e, "parse", source, null);
        }
        return decodeAndPublish(ds, source, priority, List.of(), senderSopUid, dlqBytes, t0);
    }

    /** A Part 10 file (STOW-RS part or a file on disk). */
    public IngestResult ingestPart10(byte[] file, String source, List<String> labels) {
        return ingestPart10(file, source, Priority.ROUTINE, labels);
    }

    /** A Part 10 file whose sender gave a priority (STOW-RS {@code X-Triage-Priority}). */
    public IngestResult ingestPart10(byte[] file, String source, Priority priority, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        return part10(file, source, priority, labels, t0);
    }

    private IngestResult part10(byte[] file, String source, Priority priority, List<String> labels, long t0) {
        DicomObject ds;
        try {
            ds = reader.readFile(file);
        } catch (DicomException e) {
            return reject(null, null, file, e, "parse", source, null);
        }
        return decodeAndPublish(ds, source, priority, labels, null, () -> file, t0);
    }

    /** A PNG or JPEG file from a dataset replay. */
    public IngestResult ingestImageFile(byte[] file, String source, String patientId, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        return imageFile(file, source, patientId, labels, t0);
    }

    private IngestResult imageFile(byte[] file, String source, String patientId, List<String> labels, long t0) {
        String key = EventFactory.contentUid(Normaliser.sha256(file));
        try {
            Deidentifier.Identity id = deid.ofImageFile(key, patientId);
            DecodedImage decoded = fileDecoder.decode(file);
            Normaliser.Normalised norm = normaliser.normalise(decoded.image());
            RadiographEvent ev;
            try {
                ev = events.fromImageFile(id, decoded, norm, deid.publishedSource(source), labels);
            } catch (java.io.IOException e) {
                return storeFailure(key, e);
            }
            return recordAndPublish(id, ev, null, file, source, t0);
        } catch (DicomException e) {
            return reject(key, null, file, e, "decode", source, null);
        }
    }

    /** Routes by content: Part 10 DICOM, PNG, JPEG; anything else is rejected to the DLQ. */
    public IngestResult ingestFileBytes(byte[] file, String source, String patientId, List<String> labels) {
        long t0 = System.nanoTime();
        metrics.received(source, file.length);
        if (ImageFileDecoder.isPng(file) || ImageFileDecoder.isJpeg(file)) {
            return imageFile(file, source, patientId, labels, t0);
        }
        return part10(file, source, Priority.ROUTINE, labels, t0);
    }

    private IngestResult decodeAndPublish(DicomObject ds, String source, Priority priority, List<String> labels, String senderSopUid,
                                          java.util.function.Supplier<byte[]> dlqBytes, long t0) {
        String original = EventFactory.originalSopInstanceUid(ds);
        String sender = original != null ? original : senderSopUid;
        String key = deid.replaceUid(sender);
        String sopClass = ds.getString(Tag.SOP_CLASS_UID);
        if (sopClass != null && !Uids.isStorage(sopClass)) {
            return reject(key, sender, dlqBytes.get(), new DicomException("SOP class " + SafeText.uid(sopClass) + " is not an image class ingest accepts",
                    DicomException.Status.SOP_CLASS_NOT_SUPPORTED), "parse", source, sopClass);
        }
        String burnedIn = deid.burnedInRefusal(ds, sopClass != null ? sopClass : ds.getString(Tag.MEDIA_STORAGE_SOP_CLASS_UID));
        if (burnedIn != null) {
            return reject(key, sender, dlqBytes.get(), new DicomException(burnedIn, DicomException.Status.NOT_AUTHORIZED), "deid", source, sopClass);
        }
        Normaliser.Normalised norm;
        DecodedImage decoded;
        long working = workingBytes(ds);
        try {
            if (working > budget.capacity()) {
                return reject(key, sender, dlqBytes.get(), new DicomException("over the memory budget: image needs " + working
                        + " bytes of working memory, the budget is " + budget.capacity(), DicomException.Status.OUT_OF_RESOURCES), "decode", source, sopClass);
            }
            if (!budget.reserve(working, BUDGET_WAIT_MILLIS)) {
                LOG.warn("memory budget exhausted; {} from {} refused for now", key, deid.publishedSource(source));
                metrics.retryable(Cause.MEMORY_BUDGET);
                return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, sopClass, "server busy (memory budget), retry later", sender);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.retryable(Cause.INTERRUPTED);
            return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, sopClass, "interrupted", sender);
        }
        try {
            decoded = decoder.decode(ds);
            norm = normaliser.normalise(decoded.image());
        } catch (DicomException e) {
            return reject(key, sender, dlqBytes.get(), e, "decode", source, sopClass);
        } catch (RuntimeException e) {
            // A decoder bug must not kill the association; it is still the input's problem for the sender. Only the
            // exception's type goes into the cause: a runtime message may quote a dataset value (e.g. a number format error).
            return reject(key, sender, dlqBytes.get(), new DicomException("decoder failed: " + e.getClass().getName(), DicomException.Status.CANNOT_UNDERSTAND, e),
                    "decode", source, sopClass);
        } finally {
            budget.release(working);
        }
        Deidentifier.Identity id;
        try {
            id = deid.ofDataset(ds, sender, EventFactory.contentUid(norm.pixelSha256()));
        } catch (DicomException e) {
            return reject(key, sender, dlqBytes.get(), e, "deid", source, sopClass);
        }
        RadiographEvent ev;
        try {
            ev = events.fromDicom(ds, id, decoded, norm, deid.publishedSource(source), priority, labels);
        } catch (java.io.IOException e) {
            return storeFailure(id.sopInstanceUid(), e);
        }
        return recordAndPublish(id, ev, sender, dlqBytes.get(), source, t0);
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
        return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, null, "image store unavailable, retry later", null);
    }

    /** The map back to the originals is on disk before the event exists anywhere else, so every event can be re-identified. */
    private IngestResult recordAndPublish(Deidentifier.Identity id, RadiographEvent ev, String sender, byte[] original, String source, long t0) {
        try {
            reidentification.record(id.reidentification());
        } catch (java.io.IOException e) {
            LOG.warn("could not write {} to the re-identification store: {}", id.sopInstanceUid(), e.getMessage());
            metrics.retryable(Cause.REIDENTIFICATION_STORE);
            return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, id.sopInstanceUid(), ev.getSopClassUid(),
                    "re-identification store unavailable, retry later", sender);
        }
        return publish(ev, sender, original, source, t0);
    }

    private IngestResult publish(RadiographEvent ev, String sender, byte[] original, String source, long t0) {
        String key = ev.getSopInstanceUid();
        try {
            int bytes = sink.publish(key, ev);
            metrics.stored(source, bytes, t0);
            LOG.debug("published {} from {}", key, ev.getSourceSystem());
            return new IngestResult(0, key, ev.getSopClassUid(), null, sender);
        } catch (EventTooLargeException e) {
            return reject(key, sender, original, new DicomException(e.getMessage(), DicomException.Status.PROCESSING_FAILURE), "publish", source,
                    ev.getSopClassUid());
        } catch (PublishException e) {
            LOG.warn("Kafka did not acknowledge {} from {}: {}", key, ev.getSourceSystem(), e.getMessage());
            metrics.retryable(Cause.KAFKA);
            return new IngestResult(DicomException.Status.OUT_OF_RESOURCES, key, ev.getSopClassUid(),
                    "not stored, retry later: " + e.getMessage(), sender);
        }
    }

    /**
     * @param key the replacement UID (DLQ key, logs); the sender's own UID only goes back to the sender
     * @param source as received: metrics count its intake path, the DLQ and logs get {@link Deidentifier#publishedSource}
     */
    private IngestResult reject(String key, String sender, byte[] original, DicomException e, String stage, String source, String sopClass) {
        String published = deid.publishedSource(source);
        LOG.info("rejected {} from {} at {}: {}", key == null ? "an instance" : key, published, stage, e.getMessage());
        boolean recorded = sink.deadLetter(key, original, e.getMessage(), stage, published);
        metrics.rejected(stage, e.status(), recorded);
        int status = recorded ? e.status() : DicomException.Status.OUT_OF_RESOURCES;
        return new IngestResult(status, key, sopClass, e.getMessage(), sender);
    }
}
