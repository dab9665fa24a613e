package org.triage.alerts.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The alerts service. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "The alerts service.")
public final class AlertsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage alerts: not implemented yet");
        return 2;
    }
}
