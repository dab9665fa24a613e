package org.triage.labels.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code triage labels}: radiologist-confirmed labels on the {@code labels} topic. */
@Command(name = "labels", mixinStandardHelpOptions = true,
        description = "Record and list radiologist-confirmed labels (the labels topic, retraining input).",
        subcommands = {AddLabelsCommand.class, ListLabelsCommand.class})
public final class LabelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("triage labels: give a subcommand: add or list (see --help)");
        return CommandSupport.USAGE;
    }
}
