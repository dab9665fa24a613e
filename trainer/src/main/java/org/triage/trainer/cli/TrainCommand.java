package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Train CM-DML-GZSL. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train CM-DML-GZSL.")
public final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage train: not implemented yet");
        return 2;
    }
}
