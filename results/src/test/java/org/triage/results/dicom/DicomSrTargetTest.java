package org.triage.results.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.results.Peers;
import org.triage.results.TestReports;

/** The SR reaches a real PACS (Orthanc): stored once however often it is sent, in the original study, and dsrdump reads it back. */
class DicomSrTargetTest {
    @TempDir
    Path tmp;

    @Test
    void orthancStoresTheSrInTheOriginalStudyOnce() throws Exception {
        Path dsrdump = Peers.require("dsrdump", "dcmtk");
        try (OrthancPeer orthanc = OrthancPeer.start(tmp)) {
            DicomSrTarget target = new DicomSrTarget("127.0.0.1", orthanc.dicomPort(), "TRIAGE", OrthancPeer.AET, Duration.ofSeconds(30));
            target.deliver(TestReports.alert());
            target.deliver(TestReports.alert());

            JsonNode instances = orthanc.get("/instances");
            assertEquals(1, instances.size(), "a redelivery replaces, never adds: " + instances);
            String id = instances.get(0).asText();
            JsonNode tags = orthanc.get("/instances/" + id + "/simplified-tags");
            assertEquals(SrBuilder.COMPREHENSIVE_SR, tags.get("SOPClassUID").asText());
            assertEquals(TestReports.FILM.studyInstanceUid(), tags.get("StudyInstanceUID").asText());
            assertEquals(TestReports.FILM.patientId(), tags.get("PatientID").asText());
            assertEquals(TestReports.FILM.accessionNumber(), tags.get("AccessionNumber").asText());

            Path stored = tmp.resolve("stored.dcm");
            Files.write(stored, orthanc.file(id));
            Process dump = new ProcessBuilder(Peers.command(dsrdump, stored.toString())).redirectErrorStream(true).start();
            String out = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(dump.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, dump.exitValue(), out);
            assertTrue(out.contains("Imaging Measurement Report") && out.contains(TestReports.FILM.sopInstanceUid()), out);
        }
    }
}
