package org.triage.trainer.cli.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.util.List;
import org.triage.events.ModelRelease;
import org.triage.schemas.cli.JsonRenderer;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.trainer.lifecycle.ReleaseLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code triage models list}: every release in its current state, newest status change first. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List releases (name, version, status, harmonic/seen/unseen means, parent, created); '*' marks the one in service.")
final class ListReleasesCommand extends ReleasesSubcommand {
    @Option(names = "--name", description = "Only releases of this model name.")
    String name;

    @Option(names = "--json", description = "One JSON array of the release records.")
    boolean json;

    @Override
    int run(ReleaseLog log, PrintWriter out) {
        ReleaseHistory history = log.read();
        List<ModelRelease> releases = history.releases(name);
        if (json) {
            JsonRenderer renderer = new JsonRenderer(-1);
            ArrayNode arr = new ObjectMapper().createArrayNode();
            releases.forEach(r -> arr.add(renderer.render(r)));
            out.println(arr);
        } else if (releases.isEmpty()) {
            out.println("no releases" + (name == null ? "" : " of '" + name + "'") + " on model-releases");
        } else {
            out.print(ReleaseText.table(releases, history));
        }
        return 0;
    }
}
