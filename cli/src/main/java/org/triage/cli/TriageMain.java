package org.triage.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single {@code triage} entry point. Thin by design: every subcommand lives in the module
 * that owns the capability; this class only assembles them and turns failures into messages.
 */
@Command(name = "triage", mixinStandardHelpOptions = true, version = "triage 0.1.0",
        description = "Streaming triage of chest radiographs with zero-shot findings.",
        subcommands = {
                org.triage.platform.cli.LocalStackCommand.class,
                org.triage.platform.cli.SchemaRegistryCommand.class,
                org.triage.schemas.cli.TailCommand.class,
                org.triage.ingest.cli.IngestCommand.class,
                org.triage.stream.cli.StreamCommand.class,
                org.triage.stream.cli.PrototypesCommand.class,
                org.triage.alerts.cli.AlertsCommand.class,
                org.triage.results.cli.ResultsCommand.class,
                org.triage.trainer.cli.PhantomCommand.class,
                org.triage.trainer.cli.TrainCommand.class,
                org.triage.trainer.cli.EvaluateCommand.class,
                org.triage.trainer.cli.ExportCommand.class,
                org.triage.labels.cli.LabelsCommand.class,
                org.triage.trainer.cli.RetrainCommand.class,
                org.triage.trainer.cli.models.ModelsCommand.class,
                TopicsCommand.class,
                BenchCommand.class,
                DemoCommand.class,
        })
public final class TriageMain {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cmd = new CommandLine(new TriageMain());
        cmd.setExecutionExceptionHandler(new UserFacingErrors());
        if (System.getProperty(org.triage.cli.demo.DemoLog.PROPERTY) != null) {
            // The launcher sent the demo's stderr to its log file; usage errors must still reach the user.
            cmd.setErr(new java.io.PrintWriter(System.out, true));
        }
        return cmd.execute(args);
    }
}
