package org.triage.stream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.triage.events.Alert;
import org.triage.events.AlertPolicy;
import org.triage.events.SharedSpacePrototype;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.schemas.Topics;
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

    static String shortList(java.util.Collection<String> names, int max) {
        List<String> shown = names.stream().sorted().limit(max).toList();
        return String.join(", ", shown) + (names.size() > max ? ", ... (" + names.size() + " in all)" : "");
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

        @ArgGroup(exclusive = true, multiplicity = "1", heading = "Where the semantic class vector comes from (one of):%n")
        Source source;

        static final class Source {
            @Option(names = "--vector-file", paramLabel = "FILE", description = "JSON array of numbers: the semantic class vector.")
            Path vectorFile;

            @ArgGroup(exclusive = false)
            Embeddings embeddings;

            @Option(names = "--encoder-model", paramLabel = "DIR",
                    description = "A sentence encoder: DIR/model.onnx + DIR/tokenizer.json (+ optional encoder.json), applied to"
                            + " the name and description.")
            Path encoderModel;

            @Option(names = "--from-cluster", paramLabel = "ID",
                    description = "A novelty cluster (the clusterId of a NOVELTY_CLUSTER alert): its centroid becomes the prototype, a point in"
                            + " the shared space of the model that found it (only that model scores it; a new model needs a class vector).")
            String fromCluster;
        }

        static final class Embeddings {
            @Option(names = "--embeddings", required = true, paramLabel = "FILE",
                    description = "Class-embeddings file: JSON object class name -> array of numbers (e.g. nih14_biobert_1024.json).")
            Path file;

            @Option(names = "--entry", required = true, paramLabel = "NAME", description = "The entry of --embeddings to use, e.g. Edema.")
            String entry;
        }

        @Option(names = "--encoder", description = "Name of the text encoder that made the vector; must match the model's class-vector"
                + " encoder (default: --encoder-model's name, --embeddings' encoder by the trainer's rule, 'user-supplied' for --vector-file"
                + " when no model is in service).")
        String encoder;

        @Option(names = "--model", paramLabel = "MODEL_DIR", description = "Check against this exported model instead of the PROMOTED release"
                + " on model-releases.")
        Path model;

        @Option(names = "--lookback-days", defaultValue = "7",
                description = "A CALIBRATED unseen label is calibrated on the stored embeddings of the last N days (default ${DEFAULT-VALUE}).")
        double lookbackDays;

        @Option(names = "--target-rate",
                description = "Share of those films within the calibrated threshold (default: the seen labels' median alert rate).")
        Double targetRate;

        @Option(names = "--model-name", description = "The model name the stream follows (default: the PROMOTED release of any name promoted last).")
        String modelName;

        @Option(names = "--kind", defaultValue = "UNSEEN", description = "SEEN or UNSEEN by the current model (default ${DEFAULT-VALUE}).")
        PrototypeKind kind;

        @Option(names = "--severity", defaultValue = "MEDIUM", description = "INFO, LOW, MEDIUM, HIGH, CRITICAL (default ${DEFAULT-VALUE}).")
        Severity severity;

        @ArgGroup(exclusive = true)
        Policy policy;

        static final class Policy {
            @Option(names = "--alert-quantile", description = "Alert when the distance is within this quantile of the label's own recent distances, "
                    + "e.g. 0.01 (a fixed share of films whatever the prevalence: an outbreak moves the threshold, not the alert count).")
            Double quantile;

            @Option(names = "--alert-distance", description = "Alert when the distance is at most this absolute value.")
            Double distance;

            @Option(names = "--calibrated", description = "The default. SEEN: the release's threshold; UNSEEN: calibrated now on recent stored "
                    + "embeddings (see --lookback-days, --target-rate) and recorded on the prototype.")
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
            try {
                return add();
            } catch (IllegalArgumentException e) {
                System.err.println("triage prototypes add: " + e.getMessage());
                return 2;
            }
        }

        private int add() throws Exception {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("--id is empty: give the label id (the record key), e.g. --id covid-19");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("--name is empty: give the display name, e.g. --name \"COVID-19\"");
            }
            if (encoder != null && encoder.isBlank()) {
                throw new IllegalArgumentException("--encoder is empty: give the encoder's name or leave the flag out");
            }
            if (source.fromCluster != null) {
                return addFromCluster();
            }
            // Local sources first: a broken file is reported without waiting for the broker.
            float[] v;
            String from;
            String vectorEncoder = encoder;
            if (source.vectorFile != null) {
                v = ClassVectorFiles.vectorFile(source.vectorFile);
                from = "vector file " + source.vectorFile;
            } else if (source.embeddings != null) {
                v = ClassVectorFiles.embeddingsEntry(source.embeddings.file, source.embeddings.entry);
                from = "entry '" + source.embeddings.entry + "' of " + source.embeddings.file;
                vectorEncoder = encoder != null ? encoder : ClassVectorFiles.encoderName(source.embeddings.file);
            } else {
                String text = text(name, description);
                try (TextEncoder te = TextEncoder.open(source.encoderModel)) {
                    v = te.encode(text);
                    vectorEncoder = encoder != null ? encoder : te.name();
                }
                from = "encoder " + vectorEncoder + " on \"" + text + "\"";
            }
            checkValues(v, from);

            PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties());
            Optional<ModelInService> serving = model != null ? Optional.of(ModelInService.fromModelDir(model))
                    : ModelInService.promoted(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(), modelName, TIMEOUT);
            if (serving.isEmpty()) {
                System.err.println("triage prototypes add: note: no PROMOTED release" + (modelName == null ? "" : " of '" + modelName + "'") + " on "
                        + Topics.MODEL_RELEASES + " and no --model: dimension and encoder are not checked against a model here"
                        + " (the stream checks the dimension on arrival)");
                if (vectorEncoder == null) {
                    vectorEncoder = "user-supplied";
                }
            } else {
                vectorEncoder = checkModel(serving.get(), v, vectorEncoder, from);
            }

            List<Float> vector = new ArrayList<>(v.length);
            for (float f : v) {
                vector.add(f);
            }
            AlertPolicy alertPolicy = policy(kind, policy, rare);
            Optional<LabelPrototype> previous = Optional.ofNullable(repo.current(TIMEOUT).get(id));
            Instant now = Instant.now();
            LabelPrototype p = LabelPrototype.newBuilder().setLabelId(id).setDisplayName(name).setDescription(description)
                    .setVector(vector).setVectorEncoder(vectorEncoder).setDimension(vector.size()).setKind(kind).setAlertPolicy(alertPolicy)
                    .setSeverity(severity).setAuthor(author).setVersion(previous.map(x -> x.getVersion() + 1).orElse(1))
                    .setCreatedAt(previous.map(LabelPrototype::getCreatedAt).orElse(now)).setUpdatedAt(now).build();
            Optional<String> problem = PrototypeValidator.problem(p, serving.map(ModelInService::classVectorDim).orElse(null));
            if (problem.isPresent()) {
                throw new IllegalArgumentException(problem.get());
            }
            String calibrated = calibrateIfCalibrated(repo, p, alertPolicy);
            repo.write(id, p);
            System.out.println((previous.isPresent() ? "updated " : "added ") + id + " version " + p.getVersion() + " (dimension "
                    + vector.size() + ", encoder " + vectorEncoder + ", " + kind + ", policy " + alertPolicy.getMode()
                    + (alertPolicy.getValue() == null ? "" : " " + alertPolicy.getValue()) + (rare ? ", rare" : "")
                    + serving.map(m -> ", fits " + m.ref()).orElse("") + ")" + calibrated);
            return 0;
        }

        /** A shared-space prototype at a novelty cluster's centroid, for the model the cluster was found by, which must be in service. */
        private int addFromCluster() throws Exception {
            if (kind != PrototypeKind.UNSEEN) {
                throw new IllegalArgumentException("--from-cluster makes an UNSEEN label (the model was not trained on it); leave out --kind");
            }
            if (encoder != null) {
                throw new IllegalArgumentException("--encoder does not apply to --from-cluster: the centroid is not a text vector");
            }
            Alert cluster = ClusterLookup.latest(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(),
                    source.fromCluster, TIMEOUT).orElseThrow(() -> new IllegalArgumentException("no NOVELTY_CLUSTER alert for cluster '"
                    + source.fromCluster + "' on " + Topics.ALERTS + ": give the clusterId shown on the alert (e.g. c-1a2b3c4d5e6f)"));
            String clusterModel = cluster.getModel().getName() + ":" + cluster.getModel().getVersion();
            Optional<ModelInService> serving = model != null ? Optional.of(ModelInService.fromModelDir(model))
                    : ModelInService.promoted(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(), modelName, TIMEOUT);
            if (serving.isPresent() && !serving.get().ref().equals(clusterModel)) {
                throw new IllegalArgumentException("cluster " + source.fromCluster + " was found by model " + clusterModel + " but "
                        + serving.get().describe() + " is in service: its centroid is a point in the other model's space; add the disease"
                        + " with a class vector (--embeddings, --encoder-model, --vector-file) instead");
            }
            float[] centroid = new float[cluster.getCluster().getCentroid().size()];
            for (int i = 0; i < centroid.length; i++) {
                centroid[i] = cluster.getCluster().getCentroid().get(i);
            }
            checkValues(centroid, "cluster " + source.fromCluster);
            PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties());
            AlertPolicy alertPolicy = policy(kind, policy, rare);
            Optional<LabelPrototype> previous = Optional.ofNullable(repo.current(TIMEOUT).get(id));
            Instant now = Instant.now();
            String desc = description != null ? description : "From novelty cluster " + source.fromCluster + " (" + cluster.getCluster().getSize()
                    + " films, first seen " + cluster.getCluster().getFirstSeen() + ")";
            LabelPrototype p = LabelPrototype.newBuilder().setLabelId(id).setDisplayName(name).setDescription(desc)
                    .setVector(new ArrayList<>()).setEmbedding(SharedSpacePrototype.newBuilder().setModel(clusterModel)
                            .setVector(new ArrayList<>(cluster.getCluster().getCentroid())).setSource("novelty-cluster:" + source.fromCluster).build())
                    .setVectorEncoder("shared-space:" + clusterModel).setDimension(0).setKind(kind).setAlertPolicy(alertPolicy)
                    .setSeverity(severity).setAuthor(author).setVersion(previous.map(x -> x.getVersion() + 1).orElse(1))
                    .setCreatedAt(previous.map(LabelPrototype::getCreatedAt).orElse(now)).setUpdatedAt(now).build();
            Optional<String> problem = PrototypeValidator.problem(p, null);
            if (problem.isPresent()) {
                throw new IllegalArgumentException(problem.get());
            }
            String calibrated = calibrateIfCalibrated(repo, p, alertPolicy);
            repo.write(id, p);
            System.out.println((previous.isPresent() ? "updated " : "added ") + id + " version " + p.getVersion() + " from cluster "
                    + source.fromCluster + " (" + cluster.getCluster().getSize() + " films; a point in the space of " + clusterModel + ", "
                    + kind + ", policy " + alertPolicy.getMode() + (alertPolicy.getValue() == null ? "" : " " + alertPolicy.getValue())
                    + (rare ? ", rare" : "") + ")" + calibrated);
            return 0;
        }

        /** Calibrates a CALIBRATED unseen label now and records it on {@code p}; a failure leaves it uncalibrated and says so. */
        private String calibrateIfCalibrated(PrototypeRepository repo, LabelPrototype p, AlertPolicy alertPolicy) {
            if (kind != PrototypeKind.UNSEEN || alertPolicy.getMode() != ThresholdMode.CALIBRATED) {
                return "";
            }
            // Calibrated once, now: every instance and replay then alerts on the same recorded number.
            try {
                PrototypeCalibration.Calibrated c = PrototypeCalibration.calibrate(connection,
                        PrototypeCalibration.modelDir(connection, model, modelName), p, repo.current(TIMEOUT), lookbackDays, targetRate);
                p.getAlertPolicy().setCalibration(c.calibration());
                return "; calibrated: " + PrototypeCalibration.describe(c);
            } catch (RuntimeException e) {
                // A model that cannot be loaded here, too few films yet: the label is still added, and says so.
                System.err.println("triage prototypes add: note: not calibrated yet (" + e.getMessage() + "); the label is scored"
                        + " without alerting until `triage prototypes calibrate --id " + id + "` succeeds");
                return "";
            }
        }

        /** The text a sentence encoder is applied to: the display name, then the description if any. */
        static String text(String name, String description) {
            return description == null || description.isBlank() ? name.strip() : name.strip() + ". " + description.strip();
        }

        /** Finite, non-zero: what every source must give, with the source in the message. */
        static void checkValues(float[] v, String from) {
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new IllegalArgumentException("the vector from " + from + " has " + (Float.isNaN(v[i]) ? "a NaN" : "an infinite")
                            + " value at element " + i + ": every value must be a finite number (fix or re-create the vector)");
                }
                norm += (double) v[i] * v[i];
            }
            if (norm == 0) {
                throw new IllegalArgumentException("the vector from " + from + " is all zeros (zero-norm): it matches every image equally;"
                        + " give the class's real embedding");
            }
        }

        /** Dimension and encoder against the model in service; returns the encoder name to record. */
        static String checkModel(ModelInService m, float[] v, String vectorEncoder, String from) {
            String expected = m.encoder() == null ? "" : " of encoder '" + m.encoder() + "'";
            if (v.length != m.classVectorDim()) {
                throw new IllegalArgumentException("the vector from " + from + " has " + v.length + " values but " + m.describe()
                        + " takes class vectors of dimension " + m.classVectorDim() + ": give a " + m.classVectorDim() + "-value vector" + expected);
            }
            if (m.encoder() == null) {
                return vectorEncoder == null ? "user-supplied" : vectorEncoder;
            }
            if (vectorEncoder == null) {
                throw new IllegalArgumentException("--vector-file does not say which text encoder made the vector, and " + m.describe()
                        + " takes class vectors of encoder '" + m.encoder() + "': pass --encoder " + m.encoder()
                        + " if the vector came from it (a vector of another encoder is in another space and would score at random)");
            }
            if (!vectorEncoder.equals(m.encoder())) {
                throw new IllegalArgumentException("encoder mismatch: the vector is from encoder '" + vectorEncoder + "' but " + m.describe()
                        + " takes class vectors of encoder '" + m.encoder() + "': give a vector made by '" + m.encoder()
                        + "' (or correct --encoder if it was)");
            }
            return vectorEncoder;
        }

        static AlertPolicy policy(PrototypeKind kind, Policy policy, boolean rare) {
            ThresholdMode mode;
            Double value = null;
            if (policy == null) {
                // Seen labels: the release's threshold. Unseen labels: a threshold calibrated now on recent films and
                // recorded on the prototype, so alerts follow prevalence (QUANTILE only when asked for).
                mode = ThresholdMode.CALIBRATED;
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
                        (a.getRare() ? " rare" : "") + (p.getEmbedding() == null ? "" : " shared-space(" + p.getEmbedding().getModel() + ")"));
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
            Map<String, LabelPrototype> active = repo.current(TIMEOUT);
            if (!active.containsKey(id)) {
                System.err.println("triage prototypes retire: no active prototype '" + id + "' (it was never added or is already retired); "
                        + (active.isEmpty() ? "there are no active prototypes" : "active: " + shortList(active.keySet(), 10)
                        + " (see triage prototypes list)"));
                return 2;
            }
            repo.write(id, null);
            System.out.println("retired " + id);
            return 0;
        }
    }
}
