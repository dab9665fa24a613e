package org.triage.platform.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run the embedded Kafka broker and schema registry. */
@Command(name = "local-stack", mixinStandardHelpOptions = true, description = "Run the embedded Kafka broker and schema registry.")
public final class LocalStackCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage local-stack: not implemented yet");
        return 2;
    }
}
