package org.triage.schemas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Print a topic's records as JSON lines, decoded through the schema registry. */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Print a topic's records as JSON lines, decoded through the schema registry.")
public final class TailCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage tail: not implemented yet");
        return 2;
    }
}
