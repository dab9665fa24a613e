package org.triage.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.triage.alerts.AlertsService;
import org.triage.alerts.auth.TokenStore;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.LabelScore;
import org.triage.ingest.IngestService;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.stream.InferenceStream;
import org.triage.trainer.cli.ExportCommand;
import org.triage.trainer.cli.PhantomCommand;
import org.triage.trainer.cli.TrainCommand;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.eval.EvaluationReport;
import org.triage.trainer.eval.GzslEvaluation;
import picocli.CommandLine;

/**
 * One demo run. The heavy steps (dataset, training) are cached under the cache dir, keyed by
 * what produced them, so a second demo starts streaming within a minute.
 */
public final class DemoRun {
    private static final long PHANTOM_SEED = 7;
    /** Share of the films sent before the emerging class is added; the rest show the live alerts. */
    private static final double BEFORE_SHARE = 0.6;
    /** Routine films sent first: what the known unseen labels are calibrated on. */
    private static final int REFERENCE_FILMS = 100;

    private final Path cacheDir;
    private final int images;
    private final double trainMinutes;
    private final boolean retrain;
    private final Duration timeout;
    private final String emergingAsked;
    private final double emergingShare;
    private final PrintStream out;
    private final Narrator say;

    /**
     * @param emerging      the unseen class that plays the new disease (null: the dataset's last unseen class)
     * @param emergingShare share of the sent films that show it
     */
    public DemoRun(Path cacheDir, int images, double trainMinutes, boolean retrain, Duration timeout, String emerging,
                   double emergingShare, PrintStream out) {
        this.cacheDir = cacheDir;
        this.images = images;
        this.trainMinutes = trainMinutes;
        this.retrain = retrain;
        this.timeout = timeout;
        this.emergingAsked = emerging;
        this.emergingShare = emergingShare;
        this.out = out;
        this.say = new Narrator(out);
    }

    /** What the run measured; the JSON keys are a contract. */
    public record Summary(int images, int findings, Map<String, Integer> alerts, Map<String, Double> auroc, double throughput,
                          String modelVersion, String device, double seconds, Map<String, Object> emergingDisease) {
        public void write(Path file) throws IOException {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("images", images);
            json.put("findings", findings);
            json.put("alerts", alerts);
            json.put("auroc", auroc);
            json.put("throughput", throughput);
            json.put("modelVersion", modelVersion);
            json.put("device", device);
            json.put("seconds", seconds);
            json.put("emergingDisease", emergingDisease);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        }
    }

    public Summary run(boolean keepRunning) throws Exception {
        long t0 = System.nanoTime();
        Path data = cacheDir.resolve("phantom-seed" + PHANTOM_SEED);
        Path model = cacheDir.resolve("model-small");
        say.step("phantom dataset (seed " + PHANTOM_SEED + ")");
        timed(() -> ensurePhantom(data));
        say.step("model: small CM-DML-GZSL");
        timed(() -> ensureModel(data, model));
        GzslDataset dataset = GzslDataset.open(data);
        String emerging = emergingLabel(dataset);
        DemoFilms films = DemoFilms.choose(dataset, emerging, REFERENCE_FILMS, images, emergingShare, BEFORE_SHARE);

        say.step("Kafka broker and schema registry on loopback");
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().kafkaPort(0).registryPort(0))) {
            say.contract("bootstrap.servers=" + stack.bootstrapServers());
            say.contract("schema.registry.url=" + stack.schemaRegistryUrl());
            List<String> knownUnseen = DemoPrototypes.seed(stack, dataset, emerging);
            say.result("prototypes: %d seen labels + %d unseen %s; %s, the emerging disease of this story, is not among them",
                    dataset.seenLabels().size(), knownUnseen.size(), knownUnseen, emerging);

            Path stateDir = Files.createTempDirectory("triage-demo-state");
            InferenceStream stream = InferenceStream.builder()
                    .bootstrapServers(stack.bootstrapServers())
                    .schemaRegistryUrl(stack.schemaRegistryUrl())
                    .modelDir(model)
                    .applicationId("triage-demo-stream")
                    .stateDir(stateDir)
                    .build();
            String token = randomToken();
            AlertsService alerts = AlertsService.builder()
                    .bootstrapServers(stack.bootstrapServers())
                    .schemaRegistryUrl(stack.schemaRegistryUrl())
                    .port(0)
                    .tokens(TokenStore.parse(List.of(token + ":responder:demo"), "demo"))
                    .build();
            say.step("services: inference stream, alerts page, DICOM C-STORE SCP");
            try (stream; alerts; IngestService ingest = IngestService.start(IngestService.Options.demo(stack.bootstrapServers(),
                    stack.schemaRegistryUrl()))) {
                stream.start();
                stream.awaitRunning(Duration.ofMinutes(2));
                alerts.start();
                String device = stream.model().map(m -> m.device()).orElse("unknown");
                // The token rides in the fragment: the browser keeps it, no server log or proxy sees it.
                String pageLink = alerts.url() + "/#token=" + token;
                say.result("stream running on %s (model %s)", device.toUpperCase(Locale.ROOT),
                        stream.model().map(m -> m.version()).orElse("?"));
                say.result("alerts page %s (responder)", pageLink);
                say.result("DICOM SCP %s@127.0.0.1:%d", ingest.aet(), ingest.scpPort());

                Map<String, Sample> bySop = new ConcurrentHashMap<>();
                try (DemoCollector collector = new DemoCollector(stack).start()) {
                    ScpSender scp = new ScpSender(ingest.aet(), ingest.scpPort(), ingest.pipeline().deidentifier()::replaceUid);
                    EmergingDiseaseStory story = new EmergingDiseaseStory(emerging, dataset, model, stack, stream, scp, collector, bySop,
                            stateDir, timeout, say);
                    EmergingDiseaseStory.Outcome outcome = story.run(films, knownUnseen);
                    Summary s = summarise(dataset, bySop, collector, outcome, device, (System.nanoTime() - t0) / 1e9);
                    printSummary(s);
                    if (keepRunning) {
                        out.println();
                        out.println("running: open " + pageLink + " (Ctrl-C to stop)");
                        new CountDownLatch(1).await();
                    }
                    return s;
                }
            }
        }
    }

    /** The emerging class: the one asked for, else the dataset's last unseen class (the 14th of the phantom). */
    private String emergingLabel(GzslDataset dataset) {
        List<String> unseen = dataset.unseenLabels();
        if (emergingAsked == null) {
            if (unseen.isEmpty()) throw new IllegalArgumentException("the dataset has no unseen class to play the emerging disease");
            return unseen.get(unseen.size() - 1);
        }
        if (!unseen.contains(emergingAsked)) {
            throw new IllegalArgumentException("--emerging " + emergingAsked + " is not an unseen class of the demo's dataset; choose one of " + unseen);
        }
        return emergingAsked;
    }

    private void ensurePhantom(Path data) throws Exception {
        if (Files.isRegularFile(data.resolve("classes.json")) && Files.isRegularFile(data.resolve("labels.csv"))) {
            say.result("reusing " + data);
            return;
        }
        say.result("generating into " + data);
        DemoLog.narratingStderr(out, () -> {
            run(new PhantomCommand(), "--out", data.toString(), "--seed", String.valueOf(PHANTOM_SEED), "--force");
            return null;
        });
    }

    private void ensureModel(Path data, Path model) throws Exception {
        boolean trained = Files.isRegularFile(model.resolve("config.json"));
        boolean exported = Files.isRegularFile(model.resolve("model.json")) && Files.isRegularFile(model.resolve("visual.onnx"));
        if (!retrain && trained && exported) {
            say.result("reusing " + model + " (--retrain to train again)");
            return;
        }
        if (retrain || !trained) {
            say.result(String.format(Locale.ROOT, "training for up to %.1f min (cached afterwards)", trainMinutes));
            DemoLog.narratingStderr(out, () -> {
                trainWithRetries(data, model);
                return null;
            });
        }
        say.result("exporting ONNX and calibrating thresholds on the validation split");
        DemoLog.capturingStdout(() -> new CommandLine(new ExportCommand()).execute("--model", model.toString(), "--val-data", data.toString(),
                "--max-val-images", "300"), "export");
    }

    /**
     * Training occasionally diverges to NaN in its first steps (an open trainer defect, see
     * trainer/README.md); the demo then starts over with the next seed rather than failing.
     */
    private void trainWithRetries(Path data, Path model) throws IOException {
        int attempts = 3;
        for (int i = 0; i < attempts; i++) {
            long seed = PHANTOM_SEED + i;
            org.triage.schemas.io.Directories.deleteRecursively(model);
            int rc = new CommandLine(new TrainCommand()).execute("--data", data.toString(), "--out", model.toString(),
                    "--time-budget", String.valueOf(trainMinutes), "--seed", String.valueOf(seed));
            if (rc == 0) {
                return;
            }
            say.result("training with seed " + seed + " failed (exit " + rc + ")"
                    + (i + 1 < attempts ? "; starting over with seed " + (seed + 1) : ""));
        }
        throw new IllegalStateException("training failed " + attempts + " times; see the messages above");
    }


    private static void run(Object command, String... args) {
        int rc = new CommandLine(command).execute(args);
        if (rc != 0) {
            throw new IllegalStateException(new CommandLine(command).getCommandName() + " failed with exit code " + rc);
        }
    }

    /**
     * AUROC over every finding, on the labels scored on all of them: the emerging class is scored only
     * after it was added, so its own quality is in emergingDisease (rescan and live), not here.
     */
    private Summary summarise(GzslDataset dataset, Map<String, Sample> bySop, DemoCollector c, EmergingDiseaseStory.Outcome story, String device,
                             double total) {
        List<String> labels = new ArrayList<>(dataset.allLabels());
        List<Sample> samples = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String version = null;
        for (Map.Entry<String, Finding> e : c.findings.entrySet()) {
            Sample s = bySop.get(e.getKey());
            if (s == null) continue;
            version = e.getValue().getModel().getVersion();
            Set<String> scored = new HashSet<>();
            for (LabelScore ls : e.getValue().getLabels()) scored.add(ls.getLabelId());
            labels.retainAll(scored);
            samples.add(s);
            findings.add(e.getValue());
        }
        Map<String, Double> auroc = new LinkedHashMap<>();
        Set<String> unseen = new HashSet<>(dataset.unseenLabels());
        unseen.retainAll(labels);
        if (!samples.isEmpty() && !labels.isEmpty()) {
            float[][] rows = new float[findings.size()][labels.size()];
            for (int i = 0; i < rows.length; i++) {
                for (LabelScore ls : findings.get(i).getLabels()) {
                    int j = labels.indexOf(ls.getLabelId());
                    if (j >= 0) rows[i][j] = -ls.getDistance();
                }
            }
            EvaluationReport report = GzslEvaluation.evaluate(samples, labels, unseen, rows);
            auroc.put("seenMean", round(report.seenMean()));
            auroc.put("unseenMean", round(report.unseenMean()));
            auroc.put("harmonicMean", round(report.harmonicMean()));
        }
        Map<String, Integer> alertCounts = new TreeMap<>();
        for (Alert a : c.alerts.values()) alertCounts.merge(a.getType().name(), 1, Integer::sum);
        double throughput = story.streamingSeconds() > 0 ? round(c.findings.size() / story.streamingSeconds()) : 0;
        return new Summary(bySop.size(), c.findings.size(), alertCounts, auroc, throughput, version, device, round(total), story.json());
    }

    private void printSummary(Summary s) {
        out.println();
        out.println("summary");
        say.result("images %d, findings %d, %.1f images/s scored (model %s, %s)", s.images(), s.findings(), s.throughput(),
                s.modelVersion(), s.device());
        say.result("alerts by type %s", s.alerts());
        say.result("AUROC on the films sent %s", s.auroc());
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000.0) / 1000.0 : v;
    }

    private static String randomToken() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void timed(Step s) throws Exception {
        long t = System.nanoTime();
        s.run();
        say.result(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - t) / 1e9));
    }
}
