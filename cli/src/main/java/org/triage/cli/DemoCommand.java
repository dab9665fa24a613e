package org.triage.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The whole system on the embedded stack, in one command. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the whole system on the embedded stack.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage demo: not implemented yet");
        return 2;
    }
}
