package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Evaluate a trained model: per-class AUROC, seen/unseen/harmonic mean. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a trained model: per-class AUROC, seen/unseen/harmonic mean.")
public final class EvaluateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage evaluate: not implemented yet");
        return 2;
    }
}
