package org.triage.results.dicom;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.triage.ingest.dicom.StoreScu;
import org.triage.results.delivery.DeliveryRefused;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.report.ResultReport;

/** Sends each result as a Comprehensive SR to a PACS by C-STORE (ingest's SCU); success is status 0000. */
public final class DicomSrTarget implements DeliveryTarget {
    private final String host;
    private final int port;
    private final String callingAet;
    private final String calledAet;
    private final StoreScu scu;
    private final SrBuilder builder = new SrBuilder();

    public DicomSrTarget(String host, int port, String callingAet, String calledAet, Duration timeout) {
        this.host = host;
        this.port = port;
        this.callingAet = callingAet;
        this.calledAet = calledAet;
        this.scu = new StoreScu((int) timeout.toMillis());
    }

    @Override
    public String name() {
        return "dicom";
    }

    @Override
    public void deliver(ResultReport report) throws DeliveryRefused {
        SrBuilder.Sr sr = builder.build(report);
        List<StoreScu.Result> results;
        try {
            results = scu.send(host, port, callingAet, calledAet, List.of(sr.part10()));
        } catch (IOException e) {
            throw new DeliveryRefused(e.getClass().getSimpleName(), e);
        }
        StoreScu.Result r = results.get(0);
        if (!r.ok()) {
            throw new DeliveryRefused(r.status() < 0 ? "presentation context rejected" : "C-STORE status " + String.format("%04X", r.status()));
        }
    }
}
