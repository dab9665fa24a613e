package org.triage.model.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmark raw ONNX visual model throughput. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Benchmark raw ONNX visual model throughput.")
public final class BenchModelCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage model: not implemented yet");
        return 2;
    }
}
