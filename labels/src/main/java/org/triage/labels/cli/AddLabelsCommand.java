package org.triage.labels.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.triage.events.ConfirmedLabels;
import org.triage.labels.Confirmations;
import org.triage.labels.ConfirmedLabelsPublisher;
import org.triage.labels.KafkaEndpoint;
import org.triage.labels.KnownFilms;
import org.triage.labels.LabelValidator;
import org.triage.labels.PrototypeLabelCatalog;
import org.triage.labels.csv.CsvRow;
import org.triage.labels.csv.LabelsCsv;
import org.triage.labels.csv.LabelsImport;
import org.triage.labels.csv.MalformedFileException;
import org.triage.labels.csv.RowProblem;
import org.triage.schemas.Topics;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code triage labels add}: one film from flags, or many from a CSV file. Everything is checked
 * before anything is written, so a bad file publishes nothing (unless --skip-bad-rows).
 */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Record what a radiologist confirmed on a film: labels present (--labels) and absent (--absent).",
                "Each record is a full statement for its film and supersedes earlier ones.",
                "From a file: --from-csv FILE with the header sop,labels,absent,by[,confirmedAt]; labels separated by | or ;."})
final class AddLabelsCommand implements Callable<Integer> {
    private static final String NAME = "labels add";

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Option(names = "--sop", paramLabel = "UID", description = "SOP Instance UID of the film (must have a finding on the findings topic).")
    String sop;

    @Option(names = "--labels", paramLabel = "ID", split = ",", description = "Label ids present on the film, comma-separated.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--absent", paramLabel = "ID", split = ",", description = "Label ids confirmed NOT on the film, comma-separated.")
    List<String> absent = new ArrayList<>();

    @Option(names = "--by", paramLabel = "WHO", description = "Who confirmed (user id of the radiologist). With --from-csv: for rows whose by is empty.")
    String by;

    @Option(names = "--from-csv", paramLabel = "FILE", description = "Import many films: header sop,labels,absent,by[,confirmedAt].")
    Path csv;

    @Option(names = "--skip-bad-rows", description = "With --from-csv: publish the good rows and report the bad ones (default: publish nothing if any row is bad).")
    boolean skipBadRows;

    @Option(names = "--source", defaultValue = Confirmations.SOURCE_RADIOLOGIST,
            description = "Provenance recorded with each confirmation: radiologist, dataset, consensus (default ${DEFAULT-VALUE}).")
    String source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((csv == null) == (sop == null)) return usage(err, "give either --sop UID (one film) or --from-csv FILE (many)");
        if (csv != null && (!labels.isEmpty() || !absent.isEmpty())) return usage(err, "--labels and --absent go in the file's columns with --from-csv");
        if (csv == null && skipBadRows) return usage(err, "--skip-bad-rows only applies to --from-csv");
        if (csv == null && (by == null || by.isBlank())) return usage(err, "give --by WHO (the radiologist who confirmed)");
        if (csv == null && labels.isEmpty() && absent.isEmpty()) return usage(err, "give --labels and/or --absent (label ids)");
        try {
            KafkaEndpoint endpoint = CommandSupport.endpoint(connection);
            Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
            LabelsCsv.Parsed parsed;
            if (csv != null) {
                try {
                    parsed = LabelsCsv.read(csv, by, now, source);
                } catch (MalformedFileException e) {
                    return usage(err, e.getMessage());
                }
            } else {
                parsed = new LabelsCsv.Parsed(List.of(new CsvRow(0, Confirmations.of(sop, labels, absent, by, now, source))), List.of());
            }
            Set<String> known = new PrototypeLabelCatalog(endpoint, CommandSupport.TIMEOUT).activeLabels();
            LabelsImport.Plan plan = LabelsImport.check(parsed, new LabelValidator(known), new KnownFilms(endpoint, CommandSupport.TIMEOUT));
            if (csv == null) {
                if (!plan.problems().isEmpty()) return usage(err, plan.problems().get(0).message());
            } else if (!plan.problems().isEmpty()) {
                for (RowProblem p : plan.problems()) err.println("triage " + NAME + ": " + csv + " " + p);
                if (!skipBadRows || plan.accepted().isEmpty()) {
                    return usage(err, plan.problems().size() + " bad row(s) in " + csv + ", nothing published: fix the lines above"
                            + (plan.accepted().isEmpty() ? "" : " or add --skip-bad-rows to publish the other " + plan.accepted().size()));
                }
            }
            publish(endpoint, plan.accepted());
            out.println("labels.published=" + plan.accepted().size() + (plan.problems().isEmpty() ? "" : " labels.skipped=" + plan.problems().size())
                    + " topic=" + Topics.LABELS);
            out.flush();
            return 0;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return CommandSupport.failed(err, NAME, e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandSupport.failed(err, NAME, e);
        }
    }

    private static void publish(KafkaEndpoint endpoint, List<CsvRow> rows) throws ExecutionException, InterruptedException, TimeoutException {
        try (ConfirmedLabelsPublisher publisher = new ConfirmedLabelsPublisher(endpoint, "triage-labels-add")) {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (CsvRow r : rows) {
                ConfirmedLabels c = r.confirmation();
                sent.add(publisher.publish(c));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(CommandSupport.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static int usage(PrintWriter err, String message) {
        err.println("triage " + NAME + ": " + message);
        err.flush();
        return CommandSupport.USAGE;
    }
}
