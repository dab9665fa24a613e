package org.triage.stream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run the inference topology. */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "Run the inference topology.")
public final class StreamCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage stream: not implemented yet");
        return 2;
    }
}
