package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Record radiologist-confirmed labels. */
@Command(name = "labels", mixinStandardHelpOptions = true, description = "Record radiologist-confirmed labels.")
public final class LabelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage labels: not implemented yet");
        return 2;
    }
}
