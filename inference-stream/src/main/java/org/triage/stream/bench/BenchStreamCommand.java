package org.triage.stream.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmark the stream's sustained throughput and latency. */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "Benchmark the stream's sustained throughput and latency.")
public final class BenchStreamCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage stream: not implemented yet");
        return 2;
    }
}
