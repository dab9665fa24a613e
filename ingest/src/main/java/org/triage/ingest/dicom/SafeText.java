package org.triage.ingest.dicom;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Renders dataset values for error messages, which reach logs and the DLQ: only values whose syntax cannot
 * carry patient data (UIDs, defined terms) are shown; anything else is described by its length.
 */
public final class SafeText {
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    private static final Set<String> PHOTOMETRIC = Set.of("MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "HSV", "ARGB", "CMYK",
            "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT", "XYB");

    private SafeText() {
    }

    /** A UID as is when it has UID syntax (digits and dots, at most 64 characters). */
    public static String uid(String value) {
        if (value == null) {
            return "(none)";
        }
        return value.length() <= 64 && UID.matcher(value).matches() ? value : "(malformed UID of " + value.length() + " characters)";
    }

    /** A Photometric Interpretation when it is one of the defined terms of PS3.3 C.7.6.3.1.2. */
    public static String photometric(String value) {
        if (value == null) {
            return "(none)";
        }
        return PHOTOMETRIC.contains(value) ? value : "(non-standard value of " + value.length() + " characters)";
    }
}
