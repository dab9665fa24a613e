package org.triage.alerts.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code triage alerts}: the alerts service. Its work is in the subcommands. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "The alerts service: REST API, live page and webhooks over the alerts topics.",
        subcommands = {ServeCommand.class})
public final class AlertsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
