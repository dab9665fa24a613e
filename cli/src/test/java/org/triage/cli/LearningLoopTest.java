package org.triage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.alerts.AlertsService;
import org.triage.alerts.auth.TokenStore;
import org.triage.events.AlertPolicy;
import org.triage.events.ConfirmedLabels;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.RadiographEvent;
import org.triage.events.ReleaseStatus;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.InferenceStream;
import org.triage.trainer.data.DatasetPrototypes;
import org.triage.trainer.data.DirectoryDataset;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.lifecycle.ReleaseLog;
import org.triage.trainer.testing.LogFixtures;
import picocli.CommandLine;

/**
 * The learning loop end to end on real parts: films stream through the inference stream (following
 * model-releases), radiologists confirm labels with {@code triage labels add} (one film and a CSV)
 * and through the alerts service's API (a film's labels; an alert's label confirmed or rejected),
 * {@code triage retrain} publishes a release that the rule promotes, and the stream hot-swaps to it
 * while films keep arriving: every film has exactly one finding, those sent after the swap from the
 * new model.
 */
@Timeout(900)
class LearningLoopTest {
    private static final String NAME = LogFixtures.MODEL;
    private static final String TOKEN = "learning-loop-token-0123456789";
    /** Films held back until the promotion, then sent through the stream's swap (some before it, some after). */
    private static final int AFTER_SWAP = 120;

    @TempDir
    Path tmp;

    @Test
    void confirmedLabelsRetrainPromoteAndTheStreamSwapsWithoutLosingOrDuplicatingAFinding() throws Exception {
        Path data = LogFixtures.phantom(tmp.resolve("phantom"), 400);
        Path store = tmp.resolve("store");
        GzslDataset ds = DirectoryDataset.open(data);
        List<Sample> films = LogFixtures.films(ds, 5);
        Map<String, Sample> bySop = new HashMap<>();
        films.forEach(s -> bySop.put(sop(s), s));

        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().dataDir(tmp.resolve("kafka")))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            LogFixtures.publishChampion(stack, data, tmp, store, 4);
            sendPrototypes(stack, ds);

            try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                    .applicationId("learning-loop").stateDir(tmp.resolve("state")).followReleases(NAME)
                    .modelWait(Duration.ofSeconds(60)).maxBatch(16).maxDelayMs(50).build();
                 AlertsService alerts = AlertsService.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                         .tokens(TokenStore.parse(List.of(TOKEN + ":responder:dr.api"), "test")).port(0).build().start();
                 KafkaProducer<String, RadiographEvent> images = producer(stack, RadiographEvent.class)) {
                stream.start();
                stream.awaitRunning(Duration.ofSeconds(60));
                assertEquals(NAME + ":v1", stream.model().orElseThrow().ref());

                // 1. Films arrive and are scored by the champion.
                int first = films.size() - 240;
                for (int i = 0; i < first; i++) {
                    send(images, films.get(i), i);
                }
                images.flush();
                awaitTrue(() -> findings(stack).size() >= first, Duration.ofSeconds(180), first + " findings");

                // 2. Radiologists confirm: one film and a CSV with the CLI, films and alerts through the API.
                // The alerts of some films are confirmed or rejected on the alerts service; the other films with a finding the
                // prototypes name are confirmed whole (a normal film has nothing to confirm present).
                HttpClient http = HttpClient.newHttpClient();
                awaitTrue(() -> alertTotal(http, alerts.url()) > 0, Duration.ofSeconds(60), "alerts in the alerts service");
                Set<String> decidedFilms = decideAlerts(http, alerts.url(), bySop, 10);
                assertTrue(!decidedFilms.isEmpty(), "some alert was confirmed or rejected through the API");
                List<Sample> confirmed = films.subList(0, first).stream().filter(f -> !present(f, ds).isEmpty())
                        .filter(f -> !decidedFilms.contains(sop(f))).toList();
                int n = confirmed.size();
                Sample single = confirmed.get(0);
                CliRun one = triage(stack, "labels", "add", "--sop", sop(single), "--labels", String.join(",", present(single, ds)),
                        "--by", "dr.cli");
                assertEquals(0, one.rc(), one.err());
                Path csv = tmp.resolve("site-annotations.csv");
                StringBuilder rows = new StringBuilder("sop,labels,absent,by\n");
                List<Sample> byCsv = confirmed.subList(1, n - 100);
                for (Sample s : byCsv) {
                    rows.append(sop(s)).append(',').append(String.join(";", present(s, ds))).append(",,dr.csv\n");
                }
                Files.writeString(csv, rows.toString());
                CliRun bulk = triage(stack, "labels", "add", "--from-csv", csv.toString());
                assertEquals(0, bulk.rc(), bulk.out() + bulk.err());
                List<Sample> byApi = confirmed.subList(n - 100, n);
                for (Sample s : byApi) {
                    String body = new ObjectMapper().writeValueAsString(Map.of("labels", present(s, ds), "absent", List.of()));
                    HttpResponse<String> r = http.send(post(alerts.url() + "/api/films/" + sop(s) + "/labels", body),
                            HttpResponse.BodyHandlers.ofString());
                    assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.body());
                }
                Map<String, Long> bySource = labelRecords(stack).stream().collect(Collectors.groupingBy(
                        c -> c.getRadiologist(), Collectors.counting()));
                System.out.println("learning loop: confirmations by radiologist " + bySource);
                assertEquals(1L, bySource.get("dr.cli"));
                assertEquals((long) byCsv.size(), bySource.get("dr.csv"));
                assertEquals((long) byApi.size() + decidedFilms.size(), bySource.get("dr.api"));

                // 3. Films keep coming while the retrain runs and its release is promoted; the stream swaps.
                AtomicBoolean promoted = new AtomicBoolean();
                AtomicBoolean swapped = new AtomicBoolean();
                AtomicInteger sentAfterSwapFrom = new AtomicInteger(-1);
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = first; i < films.size(); i++) {
                            if (i == films.size() - AFTER_SWAP) {
                                // The last films go out from the moment of the promotion, through the stream's swap and after it.
                                while (!promoted.get()) {
                                    Thread.sleep(20);
                                }
                            }
                            if (swapped.get() && sentAfterSwapFrom.get() < 0) {
                                sentAfterSwapFrom.set(i);
                            }
                            send(images, films.get(i), i);
                            Thread.sleep(i >= films.size() - AFTER_SWAP && !swapped.get() ? 150 : 50);
                        }
                        images.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
                // Promotion of unseen labels to seen is RetrainFromLogTest's; here they stay unseen (--min-positives).
                CliRun retrain = triage(stack, "retrain", "--work-dir", tmp.resolve("retrain").toString(), "--store", store.toString(),
                        "--release-version", "r1", "--arch", "densenet-tiny", "--epochs", "4", "--lr", "3e-3", "--min-images", "100",
                        "--min-positives", "100000", "--tolerance", "1", "--seen-tolerance", "1", "--threads", "2", "--no-progress");
                assertEquals(0, retrain.rc(), retrain.out() + retrain.err());
                promoted.set(true);
                ReleaseHistory h = new ReleaseLog(bootstrap, registry, KafkaClientProperties.none(), Duration.ofSeconds(30)).read();
                ModelRelease r1 = h.release(NAME, "r1").orElseThrow();
                assertEquals(ReleaseStatus.PROMOTED, r1.getStatus(), r1.getDecision().toString());
                assertEquals("v1", r1.getParentVersion());
                assertTrue(r1.getDataOffsets().containsKey(Topics.LABELS + "-0"), r1.getDataOffsets().toString());
                awaitTrue(() -> stream.model().map(m -> m.ref().equals(NAME + ":r1")).orElse(false), Duration.ofSeconds(120),
                        "the stream serving r1");
                swapped.set(true);
                sender.get(120, TimeUnit.SECONDS);

                // 4. Every film exactly one finding; the ones sent after the swap from r1.
                awaitTrue(() -> findings(stack).size() >= films.size(), Duration.ofSeconds(180), films.size() + " findings");
                Thread.sleep(2_000); // a duplicate would arrive after the count was reached
                List<Finding> all = findings(stack);
                Map<String, Long> perFilm = all.stream().collect(Collectors.groupingBy(f -> f.getSopInstanceUid(), Collectors.counting()));
                assertEquals(bySop.keySet(), perFilm.keySet(), "every film has a finding");
                assertEquals(List.of(), perFilm.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList(),
                        "no film has two findings");
                Map<String, Long> byModel = all.stream().collect(Collectors.groupingBy(f -> f.getModel().getVersion(), Collectors.counting()));
                Map<String, Long> lastFilms = films.subList(films.size() - AFTER_SWAP, films.size()).stream().map(LearningLoopTest::sop)
                        .map(sop -> all.stream().filter(f -> f.getSopInstanceUid().equals(sop)).findFirst().orElseThrow())
                        .collect(Collectors.groupingBy(f -> f.getModel().getVersion(), Collectors.counting()));
                System.out.println("learning loop: findings by model version " + byModel + "; of the " + AFTER_SWAP
                        + " films sent from the promotion on " + lastFilms + "; the swap was seen before film "
                        + (sentAfterSwapFrom.get() - (films.size() - AFTER_SWAP) + 1) + " of them");
                assertTrue(sentAfterSwapFrom.get() >= 0, "the swap was seen while the last films were being sent");
                Set<String> afterSwap = films.subList(sentAfterSwapFrom.get(), films.size()).stream().map(LearningLoopTest::sop)
                        .collect(Collectors.toSet());
                assertEquals(Set.of("r1"), all.stream().filter(f -> afterSwap.contains(f.getSopInstanceUid()))
                        .map(f -> f.getModel().getVersion()).collect(Collectors.toSet()), "films sent after the swap are scored by r1");
                assertTrue(byModel.getOrDefault("v1", 0L) >= first, byModel.toString());
            }
        }
    }

    /** Confirms (the phantom's truth has the label) or rejects one alert on each of up to {@code max} films; returns the films. */
    private static Set<String> decideAlerts(HttpClient http, String base, Map<String, Sample> bySop, int max) throws Exception {
        Set<String> decided = new java.util.LinkedHashSet<>();
        for (JsonNode a : alertList(http, base).get("alerts")) {
            String sop = a.get("sopInstanceUid").asText();
            String label = a.path("labelId").asText("");
            if (decided.size() == max || label.isEmpty() || !bySop.containsKey(sop) || decided.contains(sop)) {
                continue; // one decision per film: a second would supersede the first
            }
            boolean present = bySop.get(sop).labels().contains(label);
            HttpResponse<String> d = http.send(post(base + "/api/alerts/" + a.get("alertId").asText() + (present ? "/confirm" : "/reject"),
                    "{}"), HttpResponse.BodyHandlers.ofString());
            assertTrue(d.statusCode() / 100 == 2, d.statusCode() + " " + d.body());
            decided.add(sop);
        }
        return decided;
    }

    private static JsonNode alertList(HttpClient http, String base) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/alerts?limit=500"))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    private static int alertTotal(HttpClient http, String base) {
        try {
            return alertList(http, base).get("total").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** The film's labels that are prototypes (the CLI and API refuse others); "No_Finding" films confirm nothing present. */
    private static List<String> present(Sample s, GzslDataset ds) {
        return s.labels().stream().filter(ds.allLabels()::contains).sorted().toList();
    }

    private static List<Finding> findings(LocalStack stack) {
        try (var serde = AvroSerdes.specific(Finding.class, stack.schemaRegistryUrl(), false)) {
            return TopicRecords.all(client(stack), Topics.FINDINGS, serde.deserializer(), Duration.ofSeconds(30)).stream()
                    .map(ConsumerRecord::value).filter(java.util.Objects::nonNull).toList();
        }
    }

    private static List<ConfirmedLabels> labelRecords(LocalStack stack) {
        try (var serde = AvroSerdes.specific(ConfirmedLabels.class, stack.schemaRegistryUrl(), false)) {
            return TopicRecords.all(client(stack), Topics.LABELS, serde.deserializer(), Duration.ofSeconds(30)).stream()
                    .map(ConsumerRecord::value).filter(java.util.Objects::nonNull).toList();
        }
    }

    private static Properties client(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return p;
    }

    record CliRun(int rc, String out, String err) {
    }

    private static CliRun triage(LocalStack stack, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl()));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cmd = new CommandLine(new TriageMain());
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        int rc = cmd.execute(all.toArray(String[]::new));
        return new CliRun(rc, out.toString(), err.toString());
    }

    private static void sendPrototypes(LocalStack stack, GzslDataset ds) throws Exception {
        Instant now = Instant.now();
        try (KafkaProducer<String, LabelPrototype> p = producer(stack, LabelPrototype.class)) {
            for (String label : ds.allLabels()) {
                boolean unseen = ds.unseenLabels().contains(label);
                // The unseen labels alert on their recent distances' quantile: no calibration is needed to get alerts to act on.
                AlertPolicy policy = unseen ? AlertPolicy.newBuilder().setMode(ThresholdMode.QUANTILE).setValue(0.1).setRare(true).build()
                        : AlertPolicy.newBuilder().setMode(ThresholdMode.CALIBRATED).setRare(false).build();
                LabelPrototype proto = DatasetPrototypes.of(ds, label, now).setAlertPolicy(policy).setAuthor("test").build();
                p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, label, proto)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void send(KafkaProducer<String, RadiographEvent> p, Sample s, int i) {
        LogFixtures.send(p, s, i);
    }

    private static String sop(Sample s) {
        return LogFixtures.sop(s);
    }

    private static <T extends SpecificRecord> KafkaProducer<String, T> producer(LocalStack stack, Class<T> type) {
        return LogFixtures.producer(stack, type);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(250);
        }
    }
}
