package org.triage.results;

import java.time.Instant;
import java.util.List;
import org.triage.results.report.AlertSummary;
import org.triage.results.report.LabelResult;
import org.triage.results.report.OriginalFilm;
import org.triage.results.report.ResultReport;

/** Results with recognisable original values, so tests can look for them in what a target received. */
public final class TestReports {
    /** Digital X-Ray Image Storage - For Presentation. */
    public static final String DX = "1.2.840.10008.5.1.4.1.1.1.1";
    public static final OriginalFilm FILM = new OriginalFilm("2.25.111", "1.2.826.0.1.3680043.8.498.1",
            "1.2.826.0.1.3680043.8.498.2", "1.2.826.0.1.3680043.8.498.3", "ACC-0042", "PAT-0042", "HOSP-A", DX);

    /** The lateral of {@link #FILM}'s study. */
    public static final OriginalFilm LATERAL = new OriginalFilm("2.25.112", FILM.studyInstanceUid(), FILM.seriesInstanceUid(),
            "1.2.826.0.1.3680043.8.498.4", FILM.accessionNumber(), FILM.patientId(), FILM.issuerOfPatientId(), DX);

    private TestReports() {
    }

    public static List<LabelResult> labels() {
        return List.of(new LabelResult("Effusion", 0.91, 0.31, 0.42, true, 1),
                new LabelResult("Pleural_Thickening", 0.40, 0.77, 0.50, false, 2),
                new LabelResult("Covid_Pattern", 0.20, 0.95, null, false, 3));
    }

    public static ResultReport finding() {
        return new ResultReport("0123456789abcdef0123456789abcdef", false, "cmdml", "v7",
                Instant.parse("2026-01-02T03:04:05Z"), labels(), null, FILM);
    }

    public static ResultReport alert() {
        return new ResultReport("fedcba9876543210fedcba9876543210", true, "cmdml", "v7",
                Instant.parse("2026-01-02T03:04:06Z"), labels(),
                new AlertSummary("UNSEEN_CLASS", "Covid_Pattern", "HIGH", 0.95f, 1.0f, true), FILM);
    }

    /** The result of a PA + lateral study, version 2 (a late film changed it). */
    public static ResultReport study() {
        return new ResultReport("00112233445566778899aabbccddeeff", false, "cmdml", "v7", Instant.parse("2026-01-02T03:05:06Z"), labels(),
                null, List.of(FILM, LATERAL), 2);
    }
}
