package org.triage.trainer.cli.models;

import java.io.PrintWriter;
import org.triage.events.ModelRelease;
import org.triage.schemas.cli.JsonRenderer;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.trainer.lifecycle.LifecycleRefusal;
import org.triage.trainer.lifecycle.ReleaseLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code triage models show}: one release, with its decision, data offsets, split and artifacts. */
@Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show one release: status and who changed it, metrics, the champion/challenger decision, data offsets, split, artifacts.")
final class ShowReleaseCommand extends ReleasesSubcommand {
    @Option(names = "--name", description = "Model name.")
    String name;

    @Option(names = "--version", description = "Release version.")
    String version;

    @Option(names = "--json", description = "The release record as JSON.")
    boolean json;

    @Override
    int run(ReleaseLog log, PrintWriter out) {
        required(name, "--name", "the model name");
        required(version, "--version", "the release version; 'triage models list' shows them");
        ReleaseHistory history = log.read();
        ModelRelease r = history.release(name, version).orElseThrow(() -> new LifecycleRefusal("no release "
                + ReleaseHistory.key(name, version) + " on model-releases; 'triage models list --name " + name + "' shows the versions"));
        if (json) {
            out.println(new JsonRenderer(-1).render(r));
        } else {
            boolean serving = history.promoted(name).map(p -> p.getVersion().equals(version)).orElse(false);
            out.print(ReleaseText.page(r, serving));
        }
        return 0;
    }
}
