package org.triage.labels.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.triage.events.ConfirmedLabels;
import org.triage.labels.LabelHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.triage.schemas.cli.ConnectionOptions;

/** {@code triage labels list}: the confirmation that counts per film (the latest one). */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Show the latest confirmation per film (a later confirmation supersedes an earlier one).")
final class ListLabelsCommand implements Callable<Integer> {
    private static final String NAME = "labels list";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Option(names = "--sop", paramLabel = "UID", description = "Only this film.")
    String sop;

    @Option(names = "--json", description = "One JSON array of {sopInstanceUid, labels, absent, radiologist, confirmedAt, source}.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, ConfirmedLabels> latest;
        try {
            latest = new LabelHistory(CommandSupport.endpoint(connection), CommandSupport.TIMEOUT)
                    .latest(sop == null ? k -> true : sop::equals);
        } catch (RuntimeException e) {
            return CommandSupport.failed(err, NAME, e);
        }
        if (json) {
            ArrayNode arr = JSON.createArrayNode();
            for (ConfirmedLabels c : latest.values()) arr.add(toJson(c));
            out.println(arr.toString());
        } else if (latest.isEmpty()) {
            out.println(sop == null ? "no confirmed labels yet" : "no confirmed labels for that film");
        } else {
            out.printf("%-40s %-30s %-30s %-16s %-24s %s%n", "SOP", "PRESENT", "ABSENT", "BY", "CONFIRMED", "SOURCE");
            for (ConfirmedLabels c : latest.values()) {
                out.printf("%-40s %-30s %-30s %-16s %-24s %s%n", c.getSopInstanceUid(), join(c.getLabels()), join(c.getAbsent()),
                        c.getRadiologist(), c.getConfirmedAt(), c.getSource());
            }
        }
        out.flush();
        return 0;
    }

    private static String join(java.util.List<String> ids) {
        return ids.isEmpty() ? "-" : String.join(",", ids);
    }

    static ObjectNode toJson(ConfirmedLabels c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("sopInstanceUid", c.getSopInstanceUid());
        ArrayNode l = n.putArray("labels");
        c.getLabels().forEach(l::add);
        ArrayNode a = n.putArray("absent");
        c.getAbsent().forEach(a::add);
        n.put("radiologist", c.getRadiologist());
        n.put("confirmedAt", c.getConfirmedAt().toString());
        n.put("source", c.getSource());
        return n;
    }
}
