package org.triage.ingest.deid;

import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.Tag;
import org.triage.ingest.pipeline.Pseudonymiser;

/**
 * Decides what of a film's identity may leave ingest (see the attribute table in ingest's README): UIDs replaced
 * (U), the patient pseudonymised, dates shifted per patient, the sending device named only when the site retains
 * device identity. The originals go only into the {@link ReidentificationStore.Entry} it returns alongside.
 */
public final class Deidentifier {
    /** UI and LO values are at most 64 characters (PS3.5 6.2); longer ones are refused, not truncated into a wrong mapping. */
    static final int MAX_IDENTIFIER_CHARS = 64;

    /**
     * What an event may carry about a film's identity, and what the store keeps to reverse it.
     *
     * @param dateOffsetDays days the film's dates move back (0 when dates are kept)
     */
    public record Identity(String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid, String patientPseudonym,
                           int dateOffsetDays, ReidentificationStore.Entry reidentification) {
    }

    private final Pseudonymiser pseudonymiser;
    private final UidReplacer uids;
    private final DateShifter dates;
    private final DeidOptions options;

    public Deidentifier(Pseudonymiser pseudonymiser, DeidOptions options) {
        this.pseudonymiser = pseudonymiser;
        this.uids = new UidReplacer(pseudonymiser.siteKey());
        this.dates = new DateShifter(pseudonymiser.siteKey(), options.shiftDates());
        this.options = options;
    }

    /** The replacement of an original UID (for the key of an instance refused before its identity was worked out). */
    public String replaceUid(String originalUid) {
        return uids.replace(originalUid);
    }

    /**
     * @param sopInstanceUid the film's SOP Instance UID as received (dataset, else file meta, else the C-STORE command)
     * @param contentUid a UID derived from the pixels, for a film that has no SOP Instance UID at all
     * @throws DicomException (0xA900) when an identifying value is longer than its VR allows
     */
    public Identity ofDataset(DicomObject ds, String sopInstanceUid, String contentUid) throws DicomException {
        String study = bounded(ds, Tag.STUDY_INSTANCE_UID);
        String series = bounded(ds, Tag.SERIES_INSTANCE_UID);
        String patientId = bounded(ds, Tag.PATIENT_ID);
        String issuer = bounded(ds, Tag.ISSUER_OF_PATIENT_ID);
        String accession = bounded(ds, Tag.ACCESSION_NUMBER);
        String sopClass = bounded(ds, Tag.SOP_CLASS_UID);
        if (sopInstanceUid != null && sopInstanceUid.length() > MAX_IDENTIFIER_CHARS) {
            throw tooLong(Tag.SOP_INSTANCE_UID, sopInstanceUid.length());
        }
        // A film without a SOP Instance UID is named by its content, which identifies nobody: nothing to replace.
        String sop = sopInstanceUid != null ? uids.replace(sopInstanceUid) : contentUid;
        String pseudonym = pseudonymiser.pseudonym(issuer, patientId, study != null ? study : sopInstanceUid != null ? sopInstanceUid : contentUid);
        int offset = dates.offsetDays(pseudonym);
        String studyR = uids.replace(study);
        String seriesR = uids.replace(series);
        return new Identity(sop, studyR, seriesR, pseudonym, offset,
                new ReidentificationStore.Entry(sop, studyR, seriesR, sopInstanceUid, study, series, accession, patientId, issuer, offset,
                        sopInstanceUid != null ? sopClass : null));
    }

    /** A PNG or JPEG file: named by its content; the patient id, if any, is the labels CSV's. */
    public Identity ofImageFile(String contentUid, String patientId) throws DicomException {
        if (patientId != null && patientId.length() > MAX_IDENTIFIER_CHARS) {
            throw tooLong(Tag.PATIENT_ID, patientId.length());
        }
        String pseudonym = pseudonymiser.pseudonym(null, patientId, contentUid);
        return new Identity(contentUid, null, null, pseudonym, 0,
                new ReidentificationStore.Entry(contentUid, null, null, null, null, null, null, patientId, null, 0));
    }

    /**
     * The event's source: the intake path ({@code scp}, {@code stow}, {@code files}) or the configured source name,
     * and the device behind it (calling AE title, client address) only under Retain Device Identity.
     */
    public String publishedSource(String source) {
        if (options.retainDeviceIdentity() || source == null) {
            return source;
        }
        if (options.sourceName() != null) {
            return options.sourceName();
        }
        int colon = source.indexOf(':');
        return colon < 0 ? source : source.substring(0, colon);
    }

    /** Why this film is refused for what its pixels may show; null when it may go on (or the site accepts burned-in films). */
    public String burnedInRefusal(DicomObject ds, String sopClass) {
        return options.acceptBurnedIn() ? null : BurnedInAnnotation.refusal(ds, sopClass);
    }

    private static String bounded(DicomObject ds, int tag) throws DicomException {
        String v = ds.getString(tag);
        if (v != null && v.length() > MAX_IDENTIFIER_CHARS) {
            throw tooLong(tag, v.length());
        }
        return v;
    }

    private static DicomException tooLong(int tag, int length) {
        return new DicomException("element " + Tag.toString(tag) + " is " + length + " characters, longer than the "
                + MAX_IDENTIFIER_CHARS + " its VR allows", DicomException.Status.DATASET_DOES_NOT_MATCH);
    }
}
