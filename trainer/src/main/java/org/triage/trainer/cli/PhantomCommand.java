package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Generate the synthetic phantom benchmark dataset. */
@Command(name = "phantom", mixinStandardHelpOptions = true, description = "Generate the synthetic phantom benchmark dataset.")
public final class PhantomCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage phantom: not implemented yet");
        return 2;
    }
}
