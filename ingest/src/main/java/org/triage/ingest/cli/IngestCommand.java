package org.triage.ingest.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Ingest radiographs: DICOM C-STORE SCP, DICOMweb STOW-RS, or files. */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Ingest radiographs: DICOM C-STORE SCP, DICOMweb STOW-RS, or files.")
public final class IngestCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage ingest: not implemented yet");
        return 2;
    }
}
