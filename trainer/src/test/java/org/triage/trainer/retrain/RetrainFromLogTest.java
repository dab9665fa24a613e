package org.triage.trainer.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.ConfirmedLabels;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ReleaseStatus;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.trainer.cli.RetrainCommand;
import org.triage.trainer.data.DatasetPrototypes;
import org.triage.trainer.data.DirectoryDataset;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;
import org.triage.trainer.lifecycle.ReleaseLog;
import org.triage.trainer.testing.LogFixtures;
import picocli.CommandLine;

/**
 * {@code triage retrain} against a real broker and registry: phantom films on radiographs, the
 * radiologists' confirmations on labels, the prototypes on label-prototypes and a PROMOTED
 * champion. A retrain publishes a CANDIDATE recording offsets, split and both models' metrics on
 * the same test films, promoted by the rule; a crippled challenger is left CANDIDATE; the split is
 * rebuilt exactly from the recorded offsets after more labels arrived; too little data and a
 * registry outage in the middle of the job stop it and publish nothing.
 */
@Timeout(900)
class RetrainFromLogTest {
    private static final String NAME = "cm-dml-gzsl";
    private static final String NEWLY_SEEN = "Edema";
    private static final String UNCONFIRMED_SEEN = "Pleural_Plaque";

    @TempDir
    Path tmp;

    @Test
    void retrainPublishesPromotesRejectsRebuildsAndStopsCleanly() throws Exception {
        Path data = LogFixtures.phantom(tmp.resolve("phantom"), 600);
        Path store = tmp.resolve("store");
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().dataDir(tmp.resolve("kafka")))) {
            String bootstrap = stack.bootstrapServers();
            LogFixtures.publishChampion(stack, data, tmp, store, 8);

            GzslDataset ds = DirectoryDataset.open(data);
            sendPrototypes(stack, ds);
            // Every film of the phantom goes on radiographs; a patient has two films (same split for both).
            List<Sample> films = LogFixtures.films(ds, 5);
            sendRadiographs(stack, films);
            // Radiologists confirmed the other unseen findings only on test patients' films, so of the unseen labels only
            // Edema gathers confirmed positives in train and crosses the seen threshold.
            PatientSplit split = new PatientSplit(1, 0.7, 0.15);
            List<Sample> confirmable = new ArrayList<>();
            for (int i = 0; i < films.size(); i++) {
                Sample s = films.get(i);
                boolean otherUnseen = s.labels().stream().anyMatch(l -> ds.unseenLabels().contains(l) && !l.equals(NEWLY_SEEN));
                if (!otherUnseen || split.of(patient(i)).equals("test")) {
                    confirmable.add(s);
                }
            }
            List<Sample> confirmedFirst = confirmable.subList(0, confirmable.size() * 3 / 4);
            sendConfirmations(stack, confirmedFirst);

            // 1. A challenger trained on the confirmed films; tolerances wide enough that the rule promotes it.
            Run promoted = retrain(stack, store, "w1", "--release-version", "r1", "--tolerance", "1", "--seen-tolerance", "1");
            assertEquals(0, promoted.rc(), promoted.err());
            assertTrue(promoted.out().contains("published " + NAME + ":r1 and promoted"), promoted.out());
            ReleaseHistory h = history(stack);
            ModelRelease r1 = h.release(NAME, "r1").orElseThrow();
            assertEquals(ReleaseStatus.PROMOTED, r1.getStatus());
            assertEquals("v1", r1.getParentVersion());
            assertEquals(ReleaseStatus.RETIRED, h.release(NAME, "v1").orElseThrow().getStatus());
            assertEquals("PROMOTE", r1.getDecision().getOutcome().toString());
            assertTrue(r1.getDataOffsets().get(Topics.LABELS + "-0") > 0, r1.getDataOffsets().toString());
            assertTrue(r1.getDataOffsets().keySet().stream().anyMatch(k -> k.startsWith(Topics.RADIOGRAPHS + "-")), r1.getDataOffsets().toString());
            assertNotNull(r1.getSplit());
            for (String m : List.of("seenMean", "unseenMean", "harmonicMean", "champion.seenMean", "champion.harmonicMean")) {
                assertTrue(Double.isFinite(r1.getMetrics().getOrDefault(m, Double.NaN)), m + " in " + r1.getMetrics());
            }
            assertTrue(r1.getSeenLabels().contains(NEWLY_SEEN), "an unseen prototype with enough confirmed positives is a seen class: "
                    + r1.getSeenLabels());
            Double asSeen = r1.getMetrics().get("newlySeen." + NEWLY_SEEN + ".auroc");
            Double asUnseen = r1.getMetrics().get("newlySeen." + NEWLY_SEEN + ".aurocAsUnseenPrototype");
            assertNotNull(asSeen, r1.getMetrics().toString());
            assertNotNull(asUnseen, r1.getMetrics().toString());
            System.out.printf("retrain: %s as a seen class AUROC %.3f, as an unseen prototype %.3f; release metrics %s%n", NEWLY_SEEN,
                    asSeen, asUnseen, r1.getMetrics());
            // Nothing confirmed since r1 was trained: refused before any training.
            long afterR1 = releaseRecords(bootstrap);
            Run nothingNew = retrain(stack, store, "w4", "--release-version", "r3");
            assertEquals(2, nothingNew.rc(), nothingNew.err());
            assertTrue(nothingNew.err().contains("nothing new since"), nothingNew.err());
            assertEquals(afterR1, releaseRecords(bootstrap));
            String snapshotLabels = Files.readString(tmp.resolve("w1/data").resolve(DirectoryDataset.LABELS_FILE));

            // 2. More confirmations arrive; a rebuild from r1's recorded offsets still gives r1's split, film for film.
            sendConfirmations(stack, confirmable.subList(confirmedFirst.size(), confirmable.size()));
            Run rebuilt = retrain(stack, store, "w2", "--snapshot-only", "--rebuild", "r1");
            assertEquals(0, rebuilt.rc(), rebuilt.err());
            assertTrue(rebuilt.out().contains(r1.getSplit().getHash()), rebuilt.out() + " vs " + r1.getSplit().getHash());
            assertEquals(snapshotLabels, Files.readString(tmp.resolve("w2/data").resolve(DirectoryDataset.LABELS_FILE)));

            // 3. A challenger that learned nothing (lr ~ 0): the rule keeps the champion, the challenger stays CANDIDATE.
            Run rejected = retrain(stack, store, "w3", "--release-version", "r2", "--arch", "densenet-tiny", "--epochs", "1", "--lr", "1e-12",
                    "--ema", "0");
            assertEquals(0, rejected.rc(), rejected.err());
            h = history(stack);
            ModelRelease r2 = h.release(NAME, "r2").orElseThrow();
            Map<String, Double> champ = r2.getDecision().getChampionMetrics();
            Map<String, Double> chall = r2.getDecision().getChallengerMetrics();
            // The rule at its defaults (tolerance 0, seen tolerance 0.02) on the numbers both models got on the same films.
            boolean better = chall.get("harmonicMean") >= champ.get("harmonicMean") && chall.get("seenMean") >= champ.get("seenMean") - 0.02;
            System.out.printf("retrain r2 (lr ~ 0): challenger %s vs champion %s -> %s%n", chall, champ, r2.getDecision().getOutcome());
            assertEquals(better ? "PROMOTE" : "REJECT", r2.getDecision().getOutcome().toString(), rejected.out());
            if (!better) {
                assertTrue(rejected.out().contains("as CANDIDATE; not promoted"), rejected.out());
                assertEquals(ReleaseStatus.CANDIDATE, r2.getStatus());
                assertEquals("r1", h.promoted(NAME).orElseThrow().getVersion(), "the champion stays in service");
            }

            // 4. Too little data. Exit 2, one line, nothing published.
            long before = releaseRecords(bootstrap);
            Run tooFew = retrain(stack, store, "w5", "--release-version", "r3", "--force-retrain", "--min-images", "100000");
            assertEquals(2, tooFew.rc(), tooFew.err());
            assertTrue(tooFew.err().contains("too few confirmed films"), tooFew.err());
            assertFalse(tooFew.err().contains("Exception") || tooFew.err().contains("\tat "), tooFew.err());
            assertEquals(before, releaseRecords(bootstrap), "a refused retrain publishes nothing");

            // 5. A seen class that nobody has confirmed: stopped before training with the reason, nothing published.
            sendPrototype(stack, ds, UNCONFIRMED_SEEN, ds.classVector("Mass"));
            Run noPositives = retrain(stack, store, "w7", "--release-version", "r5", "--force-retrain");
            assertEquals(2, noPositives.rc(), noPositives.err());
            assertTrue(noPositives.err().contains("seen class without confirmed positives: " + UNCONFIRMED_SEEN + " (train)"),
                    noPositives.err());
            assertEquals(before, releaseRecords(bootstrap), "a refused retrain publishes nothing");
            retirePrototype(stack, UNCONFIRMED_SEEN);

            // 6. The watch service, two instances: the one that owns the watch starts one job when enough confirmations
            // arrive and none while nothing is new; when it goes, the other takes over.
            watchTwoInstances(stack, store, confirmable);

            // 7. The registry goes away while the job trains: it stops with a message and publishes nothing.
            before = releaseRecords(bootstrap);
            int registryPort = stack.registry().port();
            Run outage = retrainStoppingRegistry(stack, store, "w6", "--release-version", "r4", "--force-retrain", "--arch", "densenet-tiny", "--epochs", "1");
            assertEquals(1, outage.rc(), outage.err());
            assertTrue(outage.err().lines().anyMatch(l -> l.startsWith("triage retrain: ")), outage.err());
            assertFalse(outage.err().contains("\tat "), outage.err());
            assertEquals(before, releaseRecords(bootstrap), "the failed job published nothing");
            try (var restarted = org.triage.platform.registry.SchemaRegistryServer.start(bootstrap, "127.0.0.1", registryPort)) {
                assertTrue(history(stack).release(NAME, "r4").isEmpty());
            }
        }
    }

    record Run(int rc, String out, String err) {
    }

    private void watchTwoInstances(LocalStack stack, Path store, List<Sample> confirmable) throws Exception {
        int batch = 25;
        int before = history(stack).releases(NAME).size();
        try (Watch a = new Watch(stack, store, "watch-a"); Watch b = new Watch(stack, store, "watch-b")) {
            awaitTrue(() -> a.watcher.active() != b.watcher.active(), Duration.ofSeconds(60), "one of the two watchers active");
            Watch first = a.watcher.active() ? a : b;
            Watch second = first == a ? b : a;
            Thread.sleep(3_000); // several checks: nothing new since the last retrained release, so no job
            assertEquals(0, first.watcher.jobsStarted(), first.said());
            sendConfirmations(stack, confirmable.subList(0, batch)); // re-confirmations supersede, and are new records all the same
            awaitTrue(() -> history(stack).releases(NAME).size() == before + 1, Duration.ofSeconds(300),
                    "a release from the watcher's job; it said: " + first.said());
            assertEquals(1, first.watcher.jobsStarted(), first.said());
            assertEquals(0, second.watcher.jobsStarted(), second.said());
            assertTrue(first.said().contains("starting a retraining of " + NAME + ": " + batch + " new confirmation(s)"), first.said());
            awaitTrue(() -> first.said().contains("job done: published"), Duration.ofSeconds(30), first.said());
            Thread.sleep(3_000);
            assertEquals(1, first.watcher.jobsStarted(), "no second job on the same data: " + first.said());

            first.close();
            awaitTrue(second.watcher::active, Duration.ofSeconds(60), "the standby takes over; it said: " + second.said());
            sendConfirmations(stack, confirmable.subList(batch, 2 * batch));
            awaitTrue(() -> history(stack).releases(NAME).size() == before + 2, Duration.ofSeconds(300),
                    "a release from the standby's job; it said: " + second.said());
            assertEquals(1, second.watcher.jobsStarted(), second.said());
            System.out.print("watch, first instance:\n" + first.said() + "watch, second instance:\n" + second.said());
        }
    }

    /** A {@code triage retrain --watch} instance on its own thread, its narration captured. */
    private final class Watch implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final RetrainWatcher watcher;
        final Thread thread;

        Watch(LocalStack stack, Path store, String work) {
            RetrainCommand cmd = new RetrainCommand();
            List<String> args = args(stack, store, work, "--watch", "--watch-interval", "1", "--min-new-confirmations", "20", "--epochs", "1");
            new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
            watcher = cmd.watcher(2, new PrintStream(out, true, StandardCharsets.UTF_8));
            thread = new Thread(watcher::run, "watch-" + work);
            thread.start();
        }

        String said() {
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws InterruptedException {
            watcher.close();
            thread.join(30_000);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(200);
        }
    }

    /** A SEEN prototype the dataset does not have. */
    private static void sendPrototype(LocalStack stack, GzslDataset ds, String label, float[] vector) throws Exception {
        LabelPrototype proto = DatasetPrototypes.of(ds, label, vector, Instant.now()).setKind(PrototypeKind.SEEN).setAuthor("test").build();
        try (KafkaProducer<String, LabelPrototype> p = producer(stack, LabelPrototype.class)) {
            p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, label, proto)).get(30, TimeUnit.SECONDS);
        }
    }

    private static void retirePrototype(LocalStack stack, String label) throws Exception {
        try (KafkaProducer<String, LabelPrototype> p = producer(stack, LabelPrototype.class)) {
            p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, label, null)).get(30, TimeUnit.SECONDS);
        }
    }

    private Run retrain(LocalStack stack, Path store, String work, String... extra) {
        return retrain(stack, store, work, null, extra);
    }

    private Run retrainStoppingRegistry(LocalStack stack, Path store, String work, String... extra) {
        return retrain(stack, store, work, stack, extra);
    }

    /** Runs the command in-process; with {@code stopRegistryOf}, its registry is closed when training starts. */
    private Run retrain(LocalStack stack, Path store, String work, LocalStack stopRegistryOf, String... extra) {
        List<String> args = args(stack, store, work, extra);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String x) {
                super.println(x);
                if (stopRegistryOf != null && x != null && x.startsWith("training ")) {
                    stopRegistryOf.registry().close();
                }
            }
        };
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(errStream);
            int rc = new CommandLine(new RetrainCommand()).execute(args.toArray(String[]::new));
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            oldOut.print(out.toString(StandardCharsets.UTF_8));
            oldOut.print(err.toString(StandardCharsets.UTF_8));
        }
    }

    /** The test's small-scale flags; a flag in {@code extra} replaces its default. */
    private List<String> args(LocalStack stack, Path store, String work, String... extra) {
        Map<String, String> options = new java.util.LinkedHashMap<>(Map.of("--work-dir", tmp.resolve(work).toString(), "--store",
                store.toString(), "--arch", "densenet-tiny", "--min-images", "100", "--min-positives", "4", "--threads", "2", "--epochs", "8", "--lr", "3e-3",
                "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl()));
        options.put("--timeout-ms", "10000");
        List<String> args = new ArrayList<>(List.of("--no-progress"));
        for (int i = 0; i < extra.length; i++) {
            if (extra[i].startsWith("--") && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                options.put(extra[i], extra[++i]); // the caller's value replaces the default
            } else {
                args.add(extra[i]);
            }
        }
        options.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return args;
    }

    private static ReleaseHistory history(LocalStack stack) {
        return new ReleaseLog(stack.bootstrapServers(), stack.schemaRegistryUrl(), KafkaClientProperties.none(), Duration.ofSeconds(30)).read();
    }

    /** Committed records on model-releases, read as bytes (no registry needed). */
    private static long releaseRecords(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return TopicRecords.all(p, Topics.MODEL_RELEASES, new ByteArrayDeserializer(), Duration.ofSeconds(30)).size();
    }

    private static void sendPrototypes(LocalStack stack, GzslDataset ds) throws Exception {
        Instant now = Instant.now();
        try (KafkaProducer<String, LabelPrototype> p = producer(stack, LabelPrototype.class)) {
            for (String label : ds.allLabels()) {
                p.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, label, DatasetPrototypes.of(ds, label, now).setAuthor("test").build()))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void sendRadiographs(LocalStack stack, List<Sample> films) {
        try (KafkaProducer<String, RadiographEvent> p = producer(stack, RadiographEvent.class)) {
            for (int i = 0; i < films.size(); i++) {
                LogFixtures.send(p, films.get(i), i);
            }
            p.flush();
        }
    }

    private static void sendConfirmations(LocalStack stack, List<Sample> films) throws Exception {
        try (KafkaProducer<String, ConfirmedLabels> p = producer(stack, ConfirmedLabels.class)) {
            for (Sample s : films) {
                ConfirmedLabels c = ConfirmedLabels.newBuilder().setSopInstanceUid(sop(s)).setLabels(List.copyOf(s.labels()))
                        .setRadiologist("dr.test").setConfirmedAt(Instant.now()).setSource("dataset").build();
                p.send(new ProducerRecord<>(Topics.LABELS, c.getSopInstanceUid(), c));
            }
            p.flush();
        }
    }

    private static String patient(int filmIndex) {
        return LogFixtures.patient(filmIndex);
    }

    private static String sop(Sample s) {
        return LogFixtures.sop(s);
    }

    private static <T extends SpecificRecord> KafkaProducer<String, T> producer(LocalStack stack, Class<T> type) {
        return LogFixtures.producer(stack, type);
    }
}
