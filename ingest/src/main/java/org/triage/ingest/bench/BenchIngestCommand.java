package org.triage.ingest.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmark C-STORE ingest throughput and round-trip latency. */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Benchmark C-STORE ingest throughput and round-trip latency.")
public final class BenchIngestCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("triage ingest: not implemented yet");
        return 2;
    }
}
