package org.triage.results.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code triage results}: findings and alerts back to the hospital. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Re-identify findings and alerts at the hospital edge and deliver them (FHIR R4, HL7 v2 ORU over MLLP, DICOM SR).",
        subcommands = {ServeCommand.class})
public final class ResultsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("triage results: give a subcommand: serve (see --help)");
        return 2;
    }
}
