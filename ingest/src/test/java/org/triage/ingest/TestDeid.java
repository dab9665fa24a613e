package org.triage.ingest;

import java.io.IOException;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.Deidentifier;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.MemoryBudget;
import org.triage.ingest.metrics.IngestMetrics;
import org.triage.ingest.pipeline.EventSink;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.Pseudonymiser;

/** Pipelines for tests that do not look at de-identification: default options, a store in a fresh temporary folder. */
final class TestDeid {
    private TestDeid() {
    }

    static IngestPipeline pipeline(Pseudonymiser p, EventSink sink) throws IOException {
        return pipeline(p, sink, MemoryBudget.unlimited(), new IngestMetrics());
    }

    static IngestPipeline pipeline(Pseudonymiser p, EventSink sink, MemoryBudget budget, IngestMetrics metrics) throws IOException {
        // Tests do not close their pipelines; the store goes when the JVM does.
        ReidentificationStore store = ReidentificationStore.openTemporary(p.siteKey());
        store.file().getParent().toFile().deleteOnExit();
        store.file().toFile().deleteOnExit();
        return new IngestPipeline(DicomLimits.DEFAULT, 1024, new Deidentifier(p, DeidOptions.demo()), store, sink, null, budget, metrics);
    }
}
