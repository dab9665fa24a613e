package org.triage.cli;

import picocli.CommandLine.Command;

/** Groups the benchmarks; each one lives beside the code it measures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that write JSON reports (--report FILE).",
        subcommands = {
                org.triage.model.bench.BenchModelCommand.class,
                org.triage.stream.bench.BenchStreamCommand.class,
                org.triage.stream.bench.BenchRescanCommand.class,
                org.triage.ingest.bench.BenchIngestCommand.class,
                org.triage.trainer.bench.BenchTrainCommand.class,
        })
public final class BenchCommand {
}
