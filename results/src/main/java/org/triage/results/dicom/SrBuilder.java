package org.triage.results.dicom;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.triage.results.report.LabelCodes;
import org.triage.results.report.LabelResult;
import org.triage.results.report.OriginalFilm;
import org.triage.results.report.ResultReport;

/**
 * A {@link ResultReport} as a Comprehensive SR following TID 1500 (Measurement Report), as the IHE AI Results profile
 * does: the root container (126000 DCM), language, the model as device observer (TID 1004), Procedure Reported
 * (plain chest X-ray), the Image Library (111028) with an IMAGE reference per film, then Imaging Measurements (126010)
 * with one Measurement Group (125007, TID 1501) per label: Tracking Identifier and Unique Identifier, Finding (121071)
 * coded, score, distance and threshold as NUM, above-threshold Yes/No. TID 1500 is extensible: the local TEXT and
 * UIDREF items (note, scope, the films' UIDs, the alert) are additions. The template is claimed (Content Template
 * Sequence DCMR 1500) only when every film's SOP Class UID is known, since an IMAGE item needs it: films stored by an
 * ingest that did not yet keep it get the same tree without the Image Library and without the claim. The SR goes
 * into the original study (its Study Instance UID, patient ID, accession number) in a series of its own; its UIDs are
 * derived from the result id, so a redelivery replaces rather than adds.
 */
public final class SrBuilder {
    public static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
    static final String LOCAL_SCHEME = "99TRIAGE";
    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The Part 10 bytes and the SR's own SOP Instance UID. */
    public record Sr(String sopInstanceUid, byte[] part10) {
    }

    public Sr build(ResultReport r) {
        String sop = uid("sr-instance", r.resultId());
        String series = uid("sr-series", r.resultId());
        DicomDataset ds = new DicomDataset()
                .text(0x00080016, "UI", COMPREHENSIVE_SR)
                .text(0x00080018, "UI", sop)
                .text(0x00080020, "DA", "")
                .text(0x00080023, "DA", DA.format(r.observedAt()))
                .text(0x00080030, "TM", "")
                .text(0x00080033, "TM", TM.format(r.observedAt()))
                .text(0x00080050, "SH", r.film().accessionNumber())
                .text(0x00080060, "CS", "SR")
                .text(0x00080070, "LO", "triage")
                .text(0x00080090, "PN", "")
                .text(0x0008103E, "LO", r.studyLevel() ? "AI triage study results, not for diagnostic use"
                        : "AI triage results, not for diagnostic use")
                .sequence(0x00081111)
                .text(0x00100010, "PN", "")
                .text(0x00100020, "LO", r.film().patientId())
                .text(0x00100030, "DA", "")
                .text(0x00100040, "CS", "")
                .text(0x0020000D, "UI", r.film().studyInstanceUid())
                .text(0x0020000E, "UI", series)
                .text(0x00200010, "SH", "")
                .text(0x00200011, "IS", "9901")
                .text(0x00200013, "IS", "1")
                .text(0x0040A040, "CS", "CONTAINER")
                .sequence(0x0040A043, code("126000", "DCM", "Imaging Measurement Report"))
                .text(0x0040A050, "CS", "SEPARATE")
                .sequence(0x0040A372)
                .text(0x0040A491, "CS", "PARTIAL")
                .text(0x0040A493, "CS", "UNVERIFIED")
                .sequence(0x0040A730, content(r));
        if (claimsTid1500(r)) {
            ds.sequence(0x0040A504, new DicomDataset().text(0x00080105, "CS", "DCMR").text(0x0040DB00, "CS", "1500"));
        }
        if (r.film().issuerOfPatientId() != null) {
            ds.text(0x00100021, "LO", r.film().issuerOfPatientId());
        }
        if (!ascii(r.film().patientId()) || !ascii(r.film().accessionNumber()) || !ascii(r.film().issuerOfPatientId())
                || !ascii(r.modelName()) || !ascii(r.modelVersion()) || r.labels().stream().anyMatch(l -> !ascii(l.labelId()))) {
            // Only when needed: the default repertoire is what every reader supports.
            ds.text(0x00080005, "CS", "ISO_IR 192");
        }
        return new Sr(sop, Part10File.write(COMPREHENSIVE_SR, sop, ds));
    }

    private static List<DicomDataset> content(ResultReport r) {
        List<DicomDataset> items = new ArrayList<>();
        items.add(item("HAS CONCEPT MOD", "CODE", code("121049", "DCM", "Language of Content Item and Descendants"))
                .sequence(0x0040A168, code("en", "RFC5646", "English")));
        items.add(item("HAS OBS CONTEXT", "CODE", code("121005", "DCM", "Observer Type"))
                .sequence(0x0040A168, code("121007", "DCM", "Device")));
        items.add(item("HAS OBS CONTEXT", "UIDREF", code("121012", "DCM", "Device Observer UID"))
                .text(0x0040A124, "UI", uid("device", r.modelName() + "/" + r.modelVersion())));
        items.add(text("HAS OBS CONTEXT", code("121013", "DCM", "Device Observer Name"), r.modelName() + " " + r.modelVersion()));
        items.add(text("HAS OBS CONTEXT", code("121015", "DCM", "Device Observer Model Name"), r.modelName()));
        items.add(item("HAS CONCEPT MOD", "CODE", code("121058", "DCM", "Procedure reported"))
                .sequence(0x0040A168, code("399208008", "SCT", "Plain chest X-ray")));
        if (claimsTid1500(r)) {
            List<DicomDataset> images = new ArrayList<>();
            for (OriginalFilm f : r.films()) {
                images.add(new DicomDataset().text(0x0040A010, "CS", "CONTAINS").text(0x0040A040, "CS", "IMAGE")
                        .sequence(0x00081199, new DicomDataset().text(0x00081150, "UI", f.sopClassUid()).text(0x00081155, "UI", f.sopInstanceUid())));
            }
            DicomDataset group = item("CONTAINS", "CONTAINER", code("126200", "DCM", "Image Library Group"))
                    .text(0x0040A050, "CS", "SEPARATE").sequence(0x0040A730, images);
            items.add(item("CONTAINS", "CONTAINER", code("111028", "DCM", "Image Library")).text(0x0040A050, "CS", "SEPARATE")
                    .sequence(0x0040A730, group));
        }
        items.add(text("CONTAINS", local("note", "Note"), "AI triage result, not for diagnostic use"));
        if (r.studyLevel()) {
            items.add(text("CONTAINS", local("scope", "Result scope"), "study of " + r.films().size() + " film(s), version " + r.studyVersion()
                    + "; each label as on the film where it is strongest"));
        }
        for (OriginalFilm f : r.films()) {
            items.add(item("CONTAINS", "UIDREF", local("series-uid", "Series Instance UID")).text(0x0040A124, "UI", f.seriesInstanceUid()));
            items.add(item("CONTAINS", "UIDREF", local("sop-uid", "SOP Instance UID")).text(0x0040A124, "UI", f.sopInstanceUid()));
        }
        if (r.alert() != null) {
            items.add(text("CONTAINS", local("alert", "Alert"), r.alert().type() + (r.alert().labelId() == null ? "" : " " + r.alert().labelId())
                    + " severity " + r.alert().severity() + (r.alert().rare() ? " rare" : "")));
        }
        List<DicomDataset> groups = new ArrayList<>();
        for (LabelResult l : r.labels()) {
            LabelCodes.Code c = LabelCodes.of(l.labelId());
            DicomDataset finding = c.snomedCode() != null ? code(c.snomedCode(), "SCT", c.snomedDisplay()) : local(c.localCode(), c.display());
            List<DicomDataset> group = new ArrayList<>();
            group.add(text("HAS OBS CONTEXT", code("112039", "DCM", "Tracking Identifier"), l.labelId()));
            group.add(item("HAS OBS CONTEXT", "UIDREF", code("112040", "DCM", "Tracking Unique Identifier"))
                    .text(0x0040A124, "UI", uid("tracking", r.resultId() + "|" + l.labelId())));
            group.add(item("CONTAINS", "CODE", code("121071", "DCM", "Finding")).sequence(0x0040A168, finding));
            group.add(num(local("score", "Score"), l.score()));
            group.add(num(local("distance", "Distance to label prototype"), l.distance()));
            if (l.threshold() != null) {
                group.add(num(local("threshold", "Distance threshold"), l.threshold()));
            }
            group.add(item("CONTAINS", "CODE", local("above-threshold", "Above threshold"))
                    .sequence(0x0040A168, l.positive() ? code("373066001", "SCT", "Yes") : code("373067005", "SCT", "No")));
            groups.add(item("CONTAINS", "CONTAINER", code("125007", "DCM", "Measurement Group"))
                    .text(0x0040A050, "CS", "SEPARATE").sequence(0x0040A730, group));
        }
        items.add(item("CONTAINS", "CONTAINER", code("126010", "DCM", "Imaging Measurements"))
                .text(0x0040A050, "CS", "SEPARATE").sequence(0x0040A730, groups));
        return items;
    }

    /** An IMAGE item needs the film's SOP Class UID: only then does the SR carry the Image Library and claim TID 1500. */
    static boolean claimsTid1500(ResultReport r) {
        return r.films().stream().allMatch(f -> f.sopClassUid() != null && !f.sopClassUid().isBlank() && f.sopInstanceUid() != null);
    }

    private static DicomDataset item(String relationship, String valueType, DicomDataset conceptName) {
        return new DicomDataset().text(0x0040A010, "CS", relationship).text(0x0040A040, "CS", valueType)
                .sequence(0x0040A043, conceptName);
    }

    private static DicomDataset text(String relationship, DicomDataset conceptName, String value) {
        return item(relationship, "TEXT", conceptName).text(0x0040A160, "UT", value);
    }

    private static DicomDataset num(DicomDataset conceptName, double value) {
        DicomDataset measured = new DicomDataset()
                .sequence(0x004008EA, code("1", "UCUM", "no units"))
                .text(0x0040A30A, "DS", String.format(Locale.ROOT, "%.6f", value));
        return item("CONTAINS", "NUM", conceptName).sequence(0x0040A300, measured);
    }

    private static DicomDataset code(String value, String scheme, String meaning) {
        return new DicomDataset().text(0x00080100, "SH", value).text(0x00080102, "SH", scheme).text(0x00080104, "LO", meaning);
    }

    private static DicomDataset local(String value, String meaning) {
        return code(value, LOCAL_SCHEME, meaning);
    }

    private static boolean ascii(String s) {
        return s == null || s.chars().allMatch(c -> c < 0x80);
    }

    /** A 2.25 UID from a hash of what it names (PS3.5 B.2 allows any 128-bit value under 2.25). */
    static String uid(String kind, String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((kind + "|" + name).getBytes(StandardCharsets.UTF_8));
            byte[] b = new byte[16];
            System.arraycopy(d, 0, b, 0, 16);
            return "2.25." + new BigInteger(1, b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
