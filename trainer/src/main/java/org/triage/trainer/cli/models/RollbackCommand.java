package org.triage.trainer.cli.models;

import java.io.PrintWriter;
import org.triage.trainer.lifecycle.ChampionChallengerRule;
import org.triage.trainer.lifecycle.ModelLifecycle;
import org.triage.trainer.lifecycle.ReleaseLog;
import org.triage.trainer.lifecycle.Transition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code triage models rollback}: put an earlier release back into service, without the rule. */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Re-promote an earlier release (default: the one in service before the current) and retire the current one.")
final class RollbackCommand extends ReleasesSubcommand {
    @Option(names = "--name", description = "Model name.")
    String name;

    @Option(names = "--to", paramLabel = "VERSION", description = "Earlier version to put back (default: the previous PROMOTED one).")
    String to;

    @Option(names = "--by", description = "Who rolls back; recorded with the change.")
    String by;

    @Option(names = "--note", description = "Why; recorded as the status note.")
    String note;

    @Override
    int run(ReleaseLog log, PrintWriter out) {
        required(name, "--name", "the model name");
        required(by, "--by", "who rolls back");
        // A rollback answers an incident: the rule judged the old release once already.
        Transition t = new ModelLifecycle(log.read(), ChampionChallengerRule.defaults()).rollback(name, to, by, note);
        log.write(t.writes());
        out.println(t.summary());
        return 0;
    }
}
