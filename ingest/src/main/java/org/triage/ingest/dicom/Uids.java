package org.triage.ingest.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The UIDs ingest knows: the conformance statement in code. */
public final class Uids {
    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";

    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    public static final String VERIFICATION = "1.2.840.10008.1.1";
    public static final String CR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.1";
    public static final String DX_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1";
    public static final String DX_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.1.1";
    public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    public static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";

    /** Our implementation class UID (under the 2.25 UUID arc) and version name, sent in A-ASSOCIATE-AC. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.229225396547870335823451416734153626112";
    public static final String IMPLEMENTATION_VERSION = "TRIAGE_INGEST_01";

    /** Storage SOP classes we accept, with display names for the README and logs. */
    public static final Map<String, String> STORAGE_SOP_CLASSES;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CR_IMAGE_STORAGE, "Computed Radiography Image Storage");
        m.put(DX_PRESENTATION, "Digital X-Ray Image Storage - For Presentation");
        m.put(DX_PROCESSING, "Digital X-Ray Image Storage - For Processing");
        m.put(SECONDARY_CAPTURE, "Secondary Capture Image Storage");
        m.put(CT_IMAGE_STORAGE, "CT Image Storage");
        m.put(MR_IMAGE_STORAGE, "MR Image Storage");
        STORAGE_SOP_CLASSES = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Transfer syntaxes we can decode, in our order of preference when a peer offers several.
     * JPEG ones are decoded by ImageIO (TwelveMonkeys adds lossless process 14). JPEG Extended (12-bit
     * DCT, process 4) is not: the JDK's DCT decoder is 8-bit only, so offering it would accept images we
     * then fail on. JPEG 2000, JPEG-LS, RLE and deflate have no decoder on our classpath either. All of
     * these are refused at negotiation.
     */
    public static final List<String> TRANSFER_SYNTAXES = List.of(EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_LOSSLESS_SV1,
            JPEG_LOSSLESS, JPEG_BASELINE, EXPLICIT_VR_BE);

    /** Encapsulated syntaxes the pixel decoder tries (files may still arrive in JPEG Extended; 8-bit ones decode). */
    public static final Set<String> JPEG_SYNTAXES = Set.of(JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1);

    public static boolean isStorage(String sopClass) {
        return STORAGE_SOP_CLASSES.containsKey(sopClass);
    }

    private Uids() {
    }
}
