package org.triage.ingest.pipeline;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import org.triage.events.NormalisedImage;
import org.triage.events.Priority;
import org.triage.events.RadiographEvent;
import org.triage.ingest.deid.DateShifter;
import org.triage.ingest.deid.Deidentifier;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.Tag;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.image.DecodedImage;
import org.triage.ingest.image.Normaliser;

/**
 * Builds a RadiographEvent from exactly the fields the schema names. With {@link Deidentifier} this is the PHI
 * boundary: identity (UIDs, patient, source) arrives already replaced, and the only other tags read are the ones the
 * README's attribute table keeps (modality, view, body part, SOP class, transfer syntax) or shifts (dates and times).
 */
public final class EventFactory {
    private final ReferenceStore references;

    /** @param references where to put images in reference mode; null for inline images */
    public EventFactory(ReferenceStore references) {
        this.references = references;
    }

    /** @param sourceSystem already as it may be published ({@link Deidentifier#publishedSource}) */
    public RadiographEvent fromDicom(DicomObject ds, Deidentifier.Identity id, DecodedImage decoded, Normaliser.Normalised norm,
                                     String sourceSystem, Priority priority, List<String> labels) throws java.io.IOException {
        return RadiographEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSopInstanceUid(id.sopInstanceUid())
                .setStudyInstanceUid(id.studyInstanceUid())
                .setSeriesInstanceUid(id.seriesInstanceUid())
                .setSopClassUid(sopClassUid(ds))
                .setPatientPseudonym(id.patientPseudonym())
                .setModality(ds.getString(Tag.MODALITY))
                .setViewPosition(ds.getString(Tag.VIEW_POSITION))
                .setBodyPart(ds.getString(Tag.BODY_PART_EXAMINED))
                .setSourceSystem(sourceSystem)
                .setAcquiredAt(DateShifter.shift(acquiredAt(ds), id.dateOffsetDays()))
                .setReceivedAt(Instant.now())
                .setPriority(priority == null ? Priority.ROUTINE : priority)
                .setImage(image(decoded, norm))
                .setOriginalTransferSyntax(ds.transferSyntax())
                .setKnownLabels(labels == null ? List.of() : List.copyOf(labels))
                .build();
    }

    /** For PNG/JPEG files: no DICOM identifiers, so the SOP Instance UID comes from the content. */
    public RadiographEvent fromImageFile(Deidentifier.Identity id, DecodedImage decoded, Normaliser.Normalised norm, String sourceSystem,
                                         List<String> labels) throws java.io.IOException {
        return RadiographEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSopInstanceUid(id.sopInstanceUid())
                .setPatientPseudonym(id.patientPseudonym())
                .setSourceSystem(sourceSystem)
                .setReceivedAt(Instant.now())
                .setPriority(Priority.ROUTINE)
                .setImage(image(decoded, norm))
                .setKnownLabels(labels == null ? List.of() : List.copyOf(labels))
                .build();
    }

    /** Only a class from the conformance table: the file meta fallback is not checked elsewhere and could hold any text. */
    static String sopClassUid(DicomObject ds) {
        String uid = firstNonNull(ds.getString(Tag.SOP_CLASS_UID), ds.getString(Tag.MEDIA_STORAGE_SOP_CLASS_UID));
        return uid != null && Uids.isStorage(uid) ? uid : null;
    }

    /** The SOP Instance UID as received: dataset, else file meta; null when neither has one. */
    static String originalSopInstanceUid(DicomObject ds) {
        return firstNonNull(ds.getString(Tag.SOP_INSTANCE_UID), ds.getString(Tag.MEDIA_STORAGE_SOP_INSTANCE_UID));
    }

    /** 2.25.&lt;decimal of the first 128 bits of a SHA-256&gt; (PS3.5 B.2): same content, same UID. */
    public static String contentUid(String sha256Hex) {
        return "2.25." + new BigInteger(sha256Hex.substring(0, 32), 16);
    }

    private NormalisedImage image(DecodedImage decoded, Normaliser.Normalised norm) throws java.io.IOException {
        String uri = references == null ? null : references.store(norm.png(), norm.pngSha256());
        return NormalisedImage.newBuilder()
                .setWidth(norm.image().width())
                .setHeight(norm.image().height())
                .setBitsStored(16)
                .setEncoding("png16")
                .setData(uri == null ? ByteBuffer.wrap(norm.png()) : null)
                .setUri(uri)
                .setSha256(norm.pngSha256())
                .setPixelSha256(norm.pixelSha256())
                .setOriginalWidth(decoded.image().width())
                .setOriginalHeight(decoded.image().height())
                .setOriginalPhotometric(decoded.originalPhotometric())
                .build();
    }

    /** Acquisition, else content, else study date/time; DICOM has no zone here, so it is read as UTC. */
    static Instant acquiredAt(DicomObject ds) {
        int[][] pairs = {{Tag.ACQUISITION_DATE, Tag.ACQUISITION_TIME}, {Tag.CONTENT_DATE, Tag.CONTENT_TIME}, {Tag.STUDY_DATE, Tag.STUDY_TIME}};
        for (int[] p : pairs) {
            String da = ds.getString(p[0]);
            if (da == null) {
                continue;
            }
            try {
                LocalDate date = LocalDate.parse(da.replace(".", "").trim(), DateTimeFormatter.BASIC_ISO_DATE);
                LocalTime time = parseTime(ds.getString(p[1]));
                return date.atTime(time).toInstant(ZoneOffset.UTC);
            } catch (RuntimeException ignored) {
                // A malformed date is not worth rejecting an image over; try the next pair.
            }
        }
        return null;
    }

    private static LocalTime parseTime(String tm) {
        if (tm == null) {
            return LocalTime.MIDNIGHT;
        }
        String t = tm.replace(":", "").trim();
        int dot = t.indexOf('.');
        String hms = dot >= 0 ? t.substring(0, dot) : t;
        int h = hms.length() >= 2 ? Integer.parseInt(hms.substring(0, 2)) : 0;
        int m = hms.length() >= 4 ? Integer.parseInt(hms.substring(2, 4)) : 0;
        int s = hms.length() >= 6 ? Math.min(59, Integer.parseInt(hms.substring(4, 6))) : 0;
        int nanos = 0;
        if (dot >= 0 && dot + 1 < t.length()) {
            String frac = (t.substring(dot + 1) + "000000000").substring(0, 9);
            nanos = Integer.parseInt(frac);
        }
        return LocalTime.of(h, m, s, nanos);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
