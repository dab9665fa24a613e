package org.triage.ingest.deid;

import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.Tag;

/**
 * PS3.15 E.1.1 (and the Clean Pixel Data option we do not implement): header de-identification cannot remove a name
 * written into the pixels, so a film that says it has one, or a secondary capture (a screenshot, a scanned form) that
 * does not say, is refused rather than published.
 */
public final class BurnedInAnnotation {
    /** Secondary Capture Image Storage and its multi-frame variants (.7.1 to .7.4). */
    private static final String SECONDARY_CAPTURE_ROOT = "1.2.840.10008.5.1.4.1.1.7";

    private BurnedInAnnotation() {
    }

    /** Why this film may show identity in its pixels; null when it says it does not (or, outside secondary capture, says nothing). */
    public static String refusal(DicomObject ds, String sopClass) {
        String v = ds.getString(Tag.BURNED_IN_ANNOTATION);
        if (v == null) {
            boolean sc = sopClass != null && (sopClass.equals(SECONDARY_CAPTURE_ROOT) || sopClass.startsWith(SECONDARY_CAPTURE_ROOT + "."));
            return sc ? "secondary capture without Burned In Annotation (0028,0301): the pixels may show patient identity" : null;
        }
        return switch (v) {
            case "NO" -> null;
            case "YES" -> "Burned In Annotation (0028,0301) is YES: the pixels may show patient identity";
            // The value is not quoted: whatever it is, it came from the sender and might be anything.
            default -> "Burned In Annotation (0028,0301) is neither YES nor NO (" + v.length() + " characters)";
        };
    }
}
