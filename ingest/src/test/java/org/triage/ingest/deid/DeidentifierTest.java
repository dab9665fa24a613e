package org.triage.ingest.deid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.triage.ingest.DatasetBuilder;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.DicomReader;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.pipeline.Pseudonymiser;

class DeidentifierTest {
    private static final SiteKey KEY = new SiteKey("deid-test-key-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final Pseudonymiser P = new Pseudonymiser(KEY);

    @Test
    void uidsBecomeKeyedDeterministic225Uids() {
        UidReplacer a = new UidReplacer(KEY);
        UidReplacer other = new UidReplacer(SiteKey.generate());
        String r = a.replace("1.2.826.0.1.3680043.8.498.1");
        assertEquals(r, a.replace("1.2.826.0.1.3680043.8.498.1"), "same original, same replacement");
        assertEquals(r, a.replace("1.2.826.0.1.3680043.8.498.1\0"), "UI padding does not matter");
        assertNotEquals(r, other.replace("1.2.826.0.1.3680043.8.498.1"), "another site key, another replacement");
        assertNotEquals(r, a.replace("1.2.826.0.1.3680043.8.498.2"));
        assertTrue(r.matches("2\\.25\\.(0|[1-9][0-9]*)"), r);
        assertTrue(new BigInteger(r.substring(5)).bitLength() <= 128, "UUID-sized");
        assertTrue(r.length() <= 64, "a valid UI length");
        assertNull(a.replace(null));
    }

    @Test
    void dateOffsetsArePerPatientWholeDaysWithinAYear() {
        DateShifter d = new DateShifter(KEY, true);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int o = d.offsetDays(P.pseudonym(null, "PATIENT-" + i, null));
            assertTrue(o >= 1 && o <= DateShifter.MAX_SHIFT_DAYS, "offset " + o);
            seen.add(o);
        }
        assertTrue(seen.size() > 200, "offsets spread over the year: " + seen.size());
        assertEquals(d.offsetDays(P.pseudonym(null, "X", null)), d.offsetDays(P.pseudonym(null, "X", null)));
        assertEquals(0, new DateShifter(KEY, false).offsetDays(P.pseudonym(null, "X", null)), "Full Dates option keeps dates");
    }

    @Test
    void issuerCountsAndAMissingIdIsNeverShared() {
        assertEquals(java.util.HexFormat.of().formatHex(KEY.pseudonymMac("P1".getBytes(StandardCharsets.UTF_8))), P.pseudonym(null, "P1", "1.2.3"),
                "no issuer: the same pseudonym as before issuers were read");
        assertNotEquals(P.pseudonym("HOSP-A", "P1", null), P.pseudonym("HOSP-B", "P1", null), "same id, two issuers: two patients");
        assertNotEquals(P.pseudonym("HOSP-A", "P1", null), P.pseudonym(null, "P1", null));
        assertNotEquals(P.pseudonym(null, null, "1.2.3.1"), P.pseudonym(null, null, "1.2.3.2"), "each anonymous study is its own patient");
        assertNotEquals(P.pseudonym(null, "", "1.2.3.1"), java.util.HexFormat.of().formatHex(KEY.pseudonymMac(new byte[0])),
                "never the pseudonym every anonymous film used to share");
        assertThrows(IllegalArgumentException.class, () -> P.pseudonym(null, null, null));
    }

    @Test
    void burnedInAnnotationYesOrUnknownOnSecondaryCaptureIsRefused() throws Exception {
        assertNotNull(BurnedInAnnotation.refusal(ds(Uids.DX_PRESENTATION, "YES"), Uids.DX_PRESENTATION));
        assertNull(BurnedInAnnotation.refusal(ds(Uids.DX_PRESENTATION, "NO"), Uids.DX_PRESENTATION));
        assertNull(BurnedInAnnotation.refusal(ds(Uids.DX_PRESENTATION, null), Uids.DX_PRESENTATION), "a DX that does not say");
        assertNotNull(BurnedInAnnotation.refusal(ds(Uids.SECONDARY_CAPTURE, null), Uids.SECONDARY_CAPTURE));
        assertNotNull(BurnedInAnnotation.refusal(ds("1.2.840.10008.5.1.4.1.1.7.4", null), "1.2.840.10008.5.1.4.1.1.7.4"), "multi-frame SC");
        assertNull(BurnedInAnnotation.refusal(ds(Uids.SECONDARY_CAPTURE, "NO"), Uids.SECONDARY_CAPTURE));
        String odd = BurnedInAnnotation.refusal(ds(Uids.DX_PRESENTATION, "ZZMARK"), Uids.DX_PRESENTATION);
        assertNotNull(odd);
        assertFalse(odd.contains("ZZMARK"), "the value is not quoted: " + odd);
        Deidentifier lenient = new Deidentifier(P, DeidOptions.demo().withAcceptBurnedIn(true));
        assertNull(lenient.burnedInRefusal(ds(Uids.DX_PRESENTATION, "YES"), Uids.DX_PRESENTATION), "the site override");
    }

    @Test
    void sourceNamesTheDeviceOnlyUnderRetainDeviceIdentity() {
        assertEquals("scp", new Deidentifier(P, DeidOptions.demo()).publishedSource("scp:CT1"));
        assertEquals("stow", new Deidentifier(P, DeidOptions.demo()).publishedSource("stow:10.1.2.3"));
        assertEquals("site-a", new Deidentifier(P, DeidOptions.demo().withSourceName("site-a")).publishedSource("scp:CT1"));
        assertEquals("scp:CT1", new Deidentifier(P, DeidOptions.demo().withRetainDeviceIdentity(true)).publishedSource("scp:CT1"));
    }

    @Test
    void identityReplacesEverythingAndKeepsTheOriginalsForTheStore() throws Exception {
        byte[] f = new DatasetBuilder()
                .str(0x00080016, "UI", Uids.DX_PRESENTATION).str(0x00080018, "UI", "1.2.3.4.5")
                .str(0x00080050, "SH", "ACC123").str(0x00100020, "LO", "PID9").str(0x00100021, "LO", "HOSP-A")
                .str(0x0020000D, "UI", "1.2.3.4").str(0x0020000E, "UI", "1.2.3.4.1")
                .us(0x00280010, 2).us(0x00280011, 2).raw(0x7FE00010, "OW", new byte[8], 8).part10(Uids.DX_PRESENTATION, "1.2.3.4.5");
        DicomObject ds = new DicomReader(DicomLimits.DEFAULT).readFile(f);
        Deidentifier d = new Deidentifier(P, DeidOptions.demo());
        Deidentifier.Identity id = d.ofDataset(ds, "1.2.3.4.5", "2.25.1");
        UidReplacer u = new UidReplacer(KEY);
        assertEquals(u.replace("1.2.3.4.5"), id.sopInstanceUid());
        assertEquals(u.replace("1.2.3.4"), id.studyInstanceUid());
        assertEquals(u.replace("1.2.3.4.1"), id.seriesInstanceUid());
        assertEquals(P.pseudonym("HOSP-A", "PID9", null), id.patientPseudonym());
        assertEquals(new DateShifter(KEY, true).offsetDays(id.patientPseudonym()), id.dateOffsetDays());
        ReidentificationStore.Entry e = id.reidentification();
        assertEquals(new ReidentificationStore.Entry(id.sopInstanceUid(), id.studyInstanceUid(), id.seriesInstanceUid(), "1.2.3.4.5",
                "1.2.3.4", "1.2.3.4.1", "ACC123", "PID9", "HOSP-A", id.dateOffsetDays(), Uids.DX_PRESENTATION), e);

        byte[] longId = new DatasetBuilder().str(0x00080018, "UI", "1.2.3").str(0x00100020, "LO", "X".repeat(200))
                .raw(0x7FE00010, "OW", new byte[8], 8).part10(Uids.DX_PRESENTATION, "1.2.3");
        DicomException ex = assertThrows(DicomException.class,
                () -> d.ofDataset(new DicomReader(DicomLimits.DEFAULT).readFile(longId), "1.2.3", "2.25.1"));
        assertEquals(DicomException.Status.DATASET_DOES_NOT_MATCH, ex.status());
        assertFalse(ex.getMessage().contains("XXXX"), ex.getMessage());
    }

    private static DicomObject ds(String sopClass, String burnedIn) throws Exception {
        DatasetBuilder b = new DatasetBuilder().str(0x00080016, "UI", sopClass).str(0x00080018, "UI", "1.2.3");
        if (burnedIn != null) {
            b.str(0x00280301, "CS", burnedIn);
        }
        b.raw(0x7FE00010, "OW", new byte[8], 8);
        return new DicomReader(DicomLimits.DEFAULT).readFile(b.part10(sopClass, "1.2.3"));
    }
}
