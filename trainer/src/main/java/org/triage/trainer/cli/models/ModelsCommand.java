package org.triage.trainer.cli.models;

import picocli.CommandLine.Command;

/** {@code triage models}: the releases on model-releases and the moves between their states. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Model releases and their lifecycle: list, show, promote (champion/challenger), rollback.",
            "Every change writes a new record (key name:version) to model-releases; the stream follows the PROMOTED one.",
            "A refused change exits 2 with one line that says what to fix."},
        subcommands = {ListReleasesCommand.class, ShowReleaseCommand.class, PromoteCommand.class, RollbackCommand.class})
public final class ModelsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
