package org.triage.trainer.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmark training throughput against a reference PyTorch script. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Benchmark training throughput against a reference PyTorch script.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage train: not implemented yet");
        return 2;
    }
}
