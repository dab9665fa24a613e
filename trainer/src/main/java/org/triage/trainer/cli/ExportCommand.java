package org.triage.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Export a trained model to ONNX and optionally publish a release. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a trained model to ONNX and optionally publish a release.")
public final class ExportCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage export: not implemented yet");
        return 2;
    }
}
