package org.triage.stream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Manage label prototypes: add, list, show, retire. */
@Command(name = "prototypes", mixinStandardHelpOptions = true, description = "Manage label prototypes: add, list, show, retire.")
public final class PrototypesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage prototypes: not implemented yet");
        return 2;
    }
}
