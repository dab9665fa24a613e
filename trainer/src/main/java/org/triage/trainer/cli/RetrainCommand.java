package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Retrain from stored events and confirmed labels. */
@Command(name = "retrain", mixinStandardHelpOptions = true, description = "Retrain from stored events and confirmed labels.")
public final class RetrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage retrain: not implemented yet");
        return 2;
    }
}
