package org.triage.stream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.stream.topology.PrototypeValidator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Manage label prototypes: add, list, show, retire. */
@Command(name = "prototypes", mixinStandardHelpOptions = true,
        description = "Manage label prototypes (the compacted label-prototypes topic): add, list, show, retire.",
        subcommands = {PrototypesCommand.Add.class, PrototypesCommand.ListCmd.class, PrototypesCommand.Show.class,
                PrototypesCommand.Retire.class, CalibrateCommand.class})
public final class PrototypesCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Integer call() {
        System.err.println("triage prototypes: give a subcommand: add, list, show, retire (see --help)");
        return 2;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a label, or replace its prototype (the version is bumped). Live in the stream within seconds.")
    static final class Add implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--id", required = true, description = "Label id (the record key), e.g. covid-19.")
        String id;

        @Option(names = "--name", required = true, description = "Display name.")
        String name;

        @Option(names = "--vector-file", required = true, description = "JSON array of numbers: the semantic class vector.")
        Path vectorFile;

        @Option(names = "--encoder", defaultValue = "user-supplied", description = "Text encoder of the vector (default ${DEFAULT-VALUE}).")
        String encoder;

        @Option(names = "--kind", defaultValue = "UNSEEN", description = "SEEN or UNSEEN by the current model (default ${DEFAULT-VALUE}).")
        PrototypeKind kind;

        @Option(names = "--severity", defaultValue = "MEDIUM", description = "INFO, LOW, MEDIUM, HIGH, CRITICAL (default ${DEFAULT-VALUE}).")
        Severity severity;

        @ArgGroup(exclusive = true)
        Policy policy;

        static final class Policy {
            @Option(names = "--alert-quantile", description = "Alert when the distance is within this quantile of recent distances, e.g. 0.01.")
            Double quantile;

            @Option(names = "--alert-distance", description = "Alert when the distance is at most this absolute value.")
            Double distance;

            @Option(names = "--calibrated", description = "Use the model release's calibrated threshold (default for SEEN labels).")
            boolean calibrated;

            @Option(names = "--no-alerts", description = "Score the label but never alert on it.")
            boolean never;
        }

        @Option(names = "--rare", description = "Raise RARE_FINDING alerts for this label.")
        boolean rare;

        @Option(names = "--description", description = "Free-text description (no patient data).")
        String description;

        @Option(names = "--author", defaultValue = "${env:USER:-unknown}", description = "Who makes the change (default ${DEFAULT-VALUE}).")
        String author;

        @Override
        public Integer call() throws Exception {
            List<Float> vector;
            try {
                vector = readVector(vectorFile);
            } catch (IllegalArgumentException e) {
                System.err.println("triage prototypes add: " + e.getMessage());
                return 2;
            }
            AlertPolicy alertPolicy = policy(kind, policy, rare);
            PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties());
            Optional<LabelPrototype> previous = Optional.ofNullable(repo.current(TIMEOUT).get(id));
            Instant now = Instant.now();
            LabelPrototype p = LabelPrototype.newBuilder().setLabelId(id).setDisplayName(name).setDescription(description)
                    .setVector(vector).setVectorEncoder(encoder).setDimension(vector.size()).setKind(kind).setAlertPolicy(alertPolicy)
                    .setSeverity(severity).setAuthor(author).setVersion(previous.map(x -> x.getVersion() + 1).orElse(1))
                    .setCreatedAt(previous.map(LabelPrototype::getCreatedAt).orElse(now)).setUpdatedAt(now).build();
            Optional<String> problem = PrototypeValidator.problem(p, null);
            if (problem.isPresent()) {
                System.err.println("triage prototypes add: " + problem.get());
                return 2;
            }
            repo.write(id, p);
            System.out.println((previous.isPresent() ? "updated " : "added ") + id + " version " + p.getVersion() + " (dimension "
                    + vector.size() + ", " + kind + ", policy " + alertPolicy.getMode()
                    + (alertPolicy.getValue() == null ? "" : " " + alertPolicy.getValue()) + (rare ? ", rare" : "") + ")");
            return 0;
        }

        static AlertPolicy policy(PrototypeKind kind, Policy policy, boolean rare) {
            ThresholdMode mode;
            Double value = null;
            if (policy == null) {
                // Unseen labels have no calibrated threshold: alert on the closest 1% by default.
                mode = kind == PrototypeKind.SEEN ? ThresholdMode.CALIBRATED : ThresholdMode.QUANTILE;
                value = kind == PrototypeKind.SEEN ? null : 0.01;
            } else if (policy.quantile != null) {
                mode = ThresholdMode.QUANTILE;
                value = policy.quantile;
            } else if (policy.distance != null) {
                mode = ThresholdMode.ABSOLUTE;
                value = policy.distance;
            } else if (policy.never) {
                mode = ThresholdMode.NEVER;
            } else {
                mode = ThresholdMode.CALIBRATED;
            }
            return AlertPolicy.newBuilder().setMode(mode).setValue(value).setRare(rare).build();
        }

        static List<Float> readVector(Path file) {
            JsonNode node;
            try {
                if (Files.size(file) > 64L * 1024 * 1024) {
                    throw new IllegalArgumentException(file + " is over 64 MiB: not a class vector");
                }
                node = new ObjectMapper().readTree(file.toFile());
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("vector file " + file + " does not exist");
            } catch (IOException e) {
                throw new IllegalArgumentException("vector file " + file + " is not valid JSON: " + e.getMessage());
            }
            if (node == null || !node.isArray() || node.isEmpty()) {
                throw new IllegalArgumentException("vector file " + file + " must hold a non-empty JSON array of numbers");
            }
            List<Float> out = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                JsonNode v = node.get(i);
                if (!v.isNumber()) {
                    throw new IllegalArgumentException("vector file " + file + ": element " + i + " is not a number");
                }
                out.add(v.floatValue());
            }
            return out;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the active prototypes.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--json", description = "One JSON object per line instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            Map<String, LabelPrototype> all = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties()).current(TIMEOUT);
            if (json) {
                all.values().forEach(System.out::println);
                return 0;
            }
            System.out.printf("%-24s %-28s %-6s %4s %-10s %-10s %-8s %s%n", "ID", "NAME", "KIND", "DIM", "POLICY", "VALUE", "SEVERITY", "VERSION");
            for (LabelPrototype p : all.values()) {
                AlertPolicy a = p.getAlertPolicy();
                System.out.printf("%-24s %-28s %-6s %4d %-10s %-10s %-8s %d%s%n", p.getLabelId(), p.getDisplayName(), p.getKind(),
                        p.getDimension(), a.getMode(), a.getValue() == null ? "-" : a.getValue(), p.getSeverity(), p.getVersion(),
                        a.getRare() ? " rare" : "");
            }
            System.out.println(all.size() + " active prototype(s)");
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print one prototype as JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--id", required = true, description = "Label id.")
        String id;

        @Override
        public Integer call() {
            LabelPrototype p = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties()).current(TIMEOUT).get(id);
            if (p == null) {
                System.err.println("triage prototypes show: no active prototype '" + id + "'");
                return 1;
            }
            System.out.println(p);
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Retire a label (a tombstone on the compacted topic); the stream stops scoring it within seconds.")
    static final class Retire implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--id", required = true, description = "Label id.")
        String id;

        @Override
        public Integer call() throws Exception {
            PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties());
            if (!repo.current(TIMEOUT).containsKey(id)) {
                System.err.println("triage prototypes retire: no active prototype '" + id + "'");
                return 1;
            }
            repo.write(id, null);
            System.out.println("retired " + id);
            return 0;
        }
    }
}
