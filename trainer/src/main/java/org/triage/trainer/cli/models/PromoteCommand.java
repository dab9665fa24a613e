package org.triage.trainer.cli.models;

import java.io.PrintWriter;
import org.triage.trainer.lifecycle.ChampionChallengerRule;
import org.triage.trainer.lifecycle.ModelLifecycle;
import org.triage.trainer.lifecycle.ReleaseLog;
import org.triage.trainer.lifecycle.Transition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code triage models promote}: a challenger replaces the champion if the champion/challenger rule agrees. */
@Command(name = "promote", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Promote a release: it must match its SHA-256s and beat the PROMOTED one (harmonic mean >= champion's - tolerance,",
            "seen mean >= champion's - seen tolerance). The previous PROMOTED release is RETIRED. A rejection is recorded and exits 2."})
final class PromoteCommand extends ReleasesSubcommand {
    @Option(names = "--name", description = "Model name.")
    String name;

    @Option(names = "--version", description = "Release version to promote.")
    String version;

    @Option(names = "--by", description = "Who promotes (a person or a pipeline); recorded with the change.")
    String by;

    @Option(names = "--note", description = "Why; recorded as the status note.")
    String note;

    @Option(names = "--tolerance", defaultValue = "" + ChampionChallengerRule.DEFAULT_TOLERANCE,
            description = "Harmonic mean the challenger may lose against the champion (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--seen-tolerance", defaultValue = "" + ChampionChallengerRule.DEFAULT_SEEN_TOLERANCE,
            description = "Seen mean the challenger may lose against the champion (default ${DEFAULT-VALUE}).")
    double seenTolerance;

    @Option(names = "--force", description = "Promote even when the rule rejects (the decision records the override).")
    boolean force;

    @Override
    int run(ReleaseLog log, PrintWriter out) {
        required(name, "--name", "the model name");
        required(version, "--version", "the release to promote; 'triage models list' shows them");
        required(by, "--by", "who promotes it");
        ChampionChallengerRule rule = new ChampionChallengerRule(tolerance, seenTolerance);
        Transition t = new ModelLifecycle(log.read(), rule).promote(name, version, by, note, force);
        log.write(t.writes());
        if (t.refusal().isPresent()) {
            spec.commandLine().getErr().println("triage models promote: " + t.refusal().get());
            return REFUSED;
        }
        out.println(t.summary());
        return 0;
    }
}
