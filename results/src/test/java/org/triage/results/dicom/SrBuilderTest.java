package org.triage.results.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.results.Peers;
import org.triage.results.TestReports;

class SrBuilderTest {
    @TempDir
    Path tmp;

    @Test
    void dsrdumpReadsTheReportWithTheOriginalImageAndEveryLabel() throws Exception {
        Path dsrdump = Peers.require("dsrdump", "dcmtk");
        SrBuilder.Sr sr = new SrBuilder().build(TestReports.alert());
        Path f = tmp.resolve("sr.dcm");
        Files.write(f, sr.part10());
        Process p = new ProcessBuilder(Peers.command(dsrdump, "-Ee", "-Ei", "-Ec", "-Ev", "+Pu", f.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Comprehensive SR"), out);
        assertTrue(out.contains("Imaging Measurement Report"), out);
        assertTrue(out.contains(TestReports.FILM.sopInstanceUid()) && out.contains(TestReports.FILM.seriesInstanceUid()), out);
        assertTrue(out.contains("Pleural effusion") && out.contains("Pleural Thickening") && out.contains("Covid Pattern"), out);
        assertTrue(out.contains("not for diagnostic use"), out);
        assertTrue(!out.toLowerCase().contains("warning") && !out.toLowerCase().contains("error"), out);
    }

    @Test
    void dsrdumpReadsAStudyReportNamingEveryFilm() throws Exception {
        Path dsrdump = Peers.require("dsrdump", "dcmtk");
        Path f = tmp.resolve("study-sr.dcm");
        Files.write(f, new SrBuilder().build(TestReports.study()).part10());
        Process p = new ProcessBuilder(Peers.command(dsrdump, "-Ee", "-Ei", "-Ec", "-Ev", "+Pu", f.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(TestReports.FILM.sopInstanceUid()) && out.contains(TestReports.LATERAL.sopInstanceUid()), out);
        assertTrue(out.contains("\"study of 2 film(s), version"), out); // dsrdump shortens long text values
        assertTrue(!out.toLowerCase().contains("warning") && !out.toLowerCase().contains("error"), out);
    }

    /** Strict: no leniency flag, so dcmtk's own constraint checks apply; the template identification is printed. */
    @Test
    void claimsTid1500WithAnImageLibraryWhenTheFilmsSopClassesAreKnown() throws Exception {
        String out = strictDump(new SrBuilder().build(TestReports.study()).part10());
        assertTrue(out.contains("TID 1500 (DCMR)"), out);
        assertTrue(out.contains("Image Library") && out.contains("Procedure reported") && out.contains("Tracking Unique Identifier"), out);
        assertTrue(out.contains("IMAGE:") && out.contains(TestReports.LATERAL.sopInstanceUid()), out);
        String old = strictDump(new SrBuilder().build(new org.triage.results.report.ResultReport("aa", false, "cmdml", "v7",
                java.time.Instant.parse("2026-01-02T03:04:05Z"), TestReports.labels(), null,
                new org.triage.results.report.OriginalFilm("2.25.1", "1.2.3", "1.2.4", "1.2.5", null, "P", null))).part10());
        assertTrue(!old.contains("TID 1500") && !old.contains("Image Library"), "no claim without the SOP class: " + old);
    }

    private String strictDump(byte[] part10) throws Exception {
        Path dsrdump = Peers.require("dsrdump", "dcmtk");
        Path f = Files.createTempFile(tmp, "sr", ".dcm");
        Files.write(f, part10);
        Process p = new ProcessBuilder(Peers.command(dsrdump, "+Pt", "+Pu", f.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(!out.toLowerCase().contains("warning") && !out.toLowerCase().contains("error"), out);
        return out;
    }

    @Test
    void aRedeliveryHasTheSameUids() {
        assertEquals(new SrBuilder().build(TestReports.finding()).sopInstanceUid(), new SrBuilder().build(TestReports.finding()).sopInstanceUid());
    }
}
