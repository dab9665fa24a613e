package org.triage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.triage.alerts.auth.TokenStore;
import org.triage.events.ActionType;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.events.AlertPolicy;
import org.triage.events.AlertType;
import org.triage.events.ConfirmedLabels;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.NoveltyCluster;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.PeerPolicy;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The live page in a real browser: headless Chromium (Debian's {@code chromium}) driven by
 * playwright-core from {@code src/test/browser/page-test.js}, against the real service on a real
 * broker and registry. The page logs in from a link, shows an alert published while it is open
 * (with its thumbnail from the {@code thumbnails} topic), filters, acknowledges, confirms a label
 * and comments; here we check all three reached Kafka. axe-core must find no serious or critical violation.
 * Screenshots go to {@code target/browser-screenshots/}. Skips (fails under
 * {@code TRIAGE_REQUIRE_PEERS=1}) without node, chromium or {@code npm ci} in src/test/browser.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AlertsPageBrowserTest {
    static final String RESPONDER = "browser-responder-token-0123456789";
    static final Path NODE_DIR = Path.of("src/test/browser").toAbsolutePath();
    static final Path SCREENSHOTS = Path.of("target/browser-screenshots").toAbsolutePath();
    static final String CHROMIUM = System.getenv().getOrDefault("TRIAGE_CHROMIUM", "/usr/bin/chromium");
    static final String STUDY = "1.2.826.0.1.3680043.8.498.5001";
    static final String LIVE = "browser-live";
    static final ObjectMapper JSON = new ObjectMapper();

    static String missing;
    static String node;
    static LocalStack stack;
    static AlertsService service;
    static final List<Alert> history = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        node = onPath("node");
        if (node == null) {
            missing = "node is not installed: skipping the browser test of the alerts page";
        } else if (!new File(CHROMIUM).canExecute()) {
            missing = "chromium is not installed (apt-get install chromium): skipping the browser test of the alerts page";
        } else if (!Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core")) || !Files.isDirectory(NODE_DIR.resolve("node_modules/axe-core"))) {
            missing = "playwright-core / axe-core not installed: run `npm ci` in alerts/src/test/browser";
        }
        if (missing != null) {
            System.err.println("AlertsPageBrowserTest: " + missing);
            return;
        }
        stack = LocalStack.start();
        for (String label : List.of("covid19", "Pneumonia", "Effusion")) prototype(label);
        long now = System.currentTimeMillis();
        history.add(Alert.newBuilder(withEvidence(alert("browser-unseen", now - 50 * 60_000))).setStudyInstanceUid(STUDY).build());
        history.add(Alert.newBuilder(withEvidence(alert("browser-rare", now - 40 * 60_000, AlertType.RARE_FINDING, "Pneumonia", Severity.MEDIUM)))
                .setStudyInstanceUid(STUDY).build());
        history.add(withEvidence(alert("browser-retro", now - 30 * 60_000, AlertType.RETROSPECTIVE_MATCH, "covid19", Severity.HIGH)));
        history.add(Alert.newBuilder(alert("browser-cluster", now - 20 * 60_000, AlertType.NOVELTY, null, Severity.CRITICAL))
                .setScore(0.93f).setThreshold(0.8f)
                .setCluster(NoveltyCluster.newBuilder().setClusterId("c-1").setSize(4).setMembers(List.of("a", "b", "c", "d"))
                        .setCentroid(List.of(0.1f, 0.2f)).setRadius(0.3f).setFirstSeen(Instant.ofEpochMilli(now - 3_600_000))
                        .setLastSeen(Instant.ofEpochMilli(now - 20 * 60_000)).build()).build());
        for (Alert a : history) {
            send(a);
            thumbnail(a.getSopInstanceUid(), history.indexOf(a));
        }
        studyResult(now);
        service = AlertsService.builder()
                .bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.schemaRegistryUrl())
                .tokens(TokenStore.parse(List.of(RESPONDER + ":responder:dr.browser"), "test"))
                .port(0)
                .build()
                .start();
        assertTrue(service.awaitLive(Duration.ofSeconds(60)), "the view never caught up");
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (stack != null) stack.close();
    }

    @Test
    void aRadiologistSeesALiveAlertFiltersAcknowledgesAndConfirmsItsLabel() throws Exception {
        Assumptions.assumeTrue(missing == null || PeerPolicy.skipAllowed(missing), missing);
        Alert live = withEvidence(alert(LIVE, System.currentTimeMillis(), AlertType.UNSEEN_CLASS, "covid19", Severity.HIGH));
        Process p = new ProcessBuilder(node, NODE_DIR.resolve("page-test.js").toString(), service.url(), RESPONDER, SCREENSHOTS.toString(),
                LIVE, String.valueOf(history.size())).directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.equals("READY")) {
                    thumbnail(live.getSopInstanceUid(), 7);
                    send(live);
                }
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the browser script did not finish");
        } finally {
            p.destroyForcibly();
        }
        String transcript = String.join("\n", lines);
        System.out.println("AlertsPageBrowserTest:\n" + transcript);
        JsonNode r = lines.stream().filter(l -> l.startsWith("RESULT ")).findFirst()
                .map(l -> {
                    try {
                        return JSON.readTree(l.substring(7));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).orElseThrow(() -> new AssertionError("no RESULT line:\n" + transcript));
        assertEquals(0, p.exitValue(), transcript);

        assertEquals("dr.browser (responder)", r.get("identity").asText(), "logged in from the link's fragment");
        assertTrue(r.get("liveSeenFlashing").asBoolean(), "the live alert is highlighted as new");
        assertEquals(history.size() + 1, r.get("thumbnails").asInt(), "every alert shows its film");
        assertTrue(r.get("badges").get("unseen").asInt() >= 2 && r.get("badges").get("retrospective").asInt() == 1
                && r.get("badges").get("cluster").asInt() == 1, r.get("badges").toString());
        assertEquals(3, r.get("chartLabels").asInt(), "columns for covid19, Pneumonia and Novelty");
        assertTrue(r.get("legendBefore").asText().contains("covid19 (2)") && r.get("legendAfter").asText().contains("covid19 (3)"),
                "the chart counts the live alert: " + r.get("legendBefore") + " -> " + r.get("legendAfter"));
        assertEquals(1, r.get("studies").asInt(), "the two alerts of one study are grouped");
        assertEquals("Study result v2 \u00b7 2 films \u00b7 above threshold: Pneumonia (1 of 2)", r.get("studyResult").asText(),
                "the study's group shows its study-level result");
        assertTrue(r.get("strength").asText().startsWith("distance 0.42 (alerts within 0.50"), r.get("strength").asText());
        JsonNode psn = r.get("pseudonym");
        assertEquals("patient " + live.getPatientPseudonym().substring(0, 8), psn.get("shown").asText());
        assertEquals(live.getPatientPseudonym(), psn.get("title").asText(), "the full pseudonym on hover");
        assertEquals(1, r.get("filtered").asInt());
        assertEquals(r.get("filtered").asInt(), r.get("filteredApiTotal").asInt(), "the page and the API agree");
        assertTrue(r.get("afterAck").asText().contains("Acknowledged by dr.browser"), r.get("afterAck").asText());
        assertTrue(r.get("focusKept").asBoolean(), "keyboard focus survives the redraw");
        assertEquals(3, r.get("detailScores").asInt(), "every label score in the detail view");
        for (String scan : List.of("main", "detail")) {
            JsonNode c = r.get("axe").get(scan).get("counts");
            assertEquals(0, c.get("critical").asInt() + c.get("serious").asInt(), scan + ": " + r.get("axe").get(scan));
        }
        for (String name : List.of("overview", "filtered", "detail")) {
            Path png = SCREENSHOTS.resolve(name + ".png");
            assertTrue(Files.size(png) > 10_000, png + " is a real screenshot");
        }

        List<AlertAction> actions = new ArrayList<>();
        try (Serde<AlertAction> serde = AvroSerdes.specific(AlertAction.class, stack.schemaRegistryUrl(), false)) {
            for (ConsumerRecord<String, AlertAction> rec : readAll(Topics.ALERT_ACTIONS, serde.deserializer())) {
                if (LIVE.equals(rec.key())) actions.add(rec.value());
            }
        }
        assertEquals(3, actions.size(), actions.toString());
        assertEquals(ActionType.ACK, actions.get(0).getAction());
        assertEquals(ActionType.COMMENT, actions.get(1).getAction());
        assertTrue(actions.get(1).getComment().contains("confirmed: covid19 present"), actions.get(1).getComment());
        assertEquals(ActionType.COMMENT, actions.get(2).getAction());
        assertEquals("consolidation right lower lobe", actions.get(2).getComment());
        assertTrue(actions.stream().allMatch(a -> a.getActor().equals("dr.browser")), "who = the token's identity");
        List<ConfirmedLabels> labels = new ArrayList<>();
        try (Serde<ConfirmedLabels> serde = AvroSerdes.specific(ConfirmedLabels.class, stack.schemaRegistryUrl(), false)) {
            for (ConsumerRecord<String, ConfirmedLabels> rec : readAll(Topics.LABELS, serde.deserializer())) {
                if (live.getSopInstanceUid().equals(rec.key())) labels.add(rec.value());
            }
        }
        assertEquals(1, labels.size());
        assertEquals(List.of("covid19"), labels.get(0).getLabels());
        assertEquals("dr.browser", labels.get(0).getRadiologist());
    }

    /** Three label scores, so the page has bars to draw and the detail view a table. */
    static Alert withEvidence(Alert a) {
        String label = a.getLabelId() == null ? "covid19" : a.getLabelId();
        List<LabelScore> ev = new ArrayList<>();
        ev.add(LabelScore.newBuilder().setLabelId(label).setDistance(0.42f).setScore(0.8f).setRank(1).setThreshold(0.5f)
                .setAboveThreshold(true).setKind(PrototypeKind.UNSEEN).build());
        int rank = 2;
        for (String other : List.of("Pneumonia", "Effusion", "covid19")) {
            if (other.equals(label) || rank > 3) continue;
            ev.add(LabelScore.newBuilder().setLabelId(other).setDistance(0.55f + rank / 10f).setScore(0.5f).setRank(rank++)
                    .setThreshold(0.5f).setAboveThreshold(false).setKind(PrototypeKind.SEEN).build());
        }
        return Alert.newBuilder(a).setEvidence(ev).build();
    }

    static Map<String, Object> producerConfig() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
    }

    static void send(Alert a) throws Exception {
        try (Serde<Alert> serde = AvroSerdes.specific(Alert.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, Alert> p = new KafkaProducer<>(producerConfig(), new StringSerializer(), serde.serializer())) {
            p.send(new ProducerRecord<>(Topics.ALERTS, a.getAlertId(), a)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Version 2 of the study's result (a late lateral): Pneumonia above threshold on one of its two films. */
    static void studyResult(long now) throws Exception {
        Instant t = Instant.ofEpochMilli(now - 35 * 60_000);
        List<org.triage.events.StudyFilm> films = List.of("browser-unseen", "browser-rare").stream()
                .map(sop -> org.triage.events.StudyFilm.newBuilder().setSopInstanceUid(sop).setFindingId("f-" + sop).setReceivedAt(t)
                        .setNoveltyScore(1f).setPositiveLabels(sop.equals("browser-rare") ? List.of("Pneumonia") : List.of()).build()).toList();
        List<org.triage.events.StudyLabel> labels = List.of(
                org.triage.events.StudyLabel.newBuilder().setLabelId("Pneumonia").setDistance(0.3f).setScore(0.8f).setRank(0).setThreshold(0.5f)
                        .setAboveThreshold(true).setKind(PrototypeKind.UNSEEN).setDecidingSopInstanceUid("browser-rare").setPositiveFilms(1).build(),
                org.triage.events.StudyLabel.newBuilder().setLabelId("Effusion").setDistance(0.9f).setScore(0.2f).setRank(1).setThreshold(0.5f)
                        .setAboveThreshold(false).setKind(PrototypeKind.SEEN).setDecidingSopInstanceUid("browser-unseen").setPositiveFilms(0).build());
        org.triage.events.StudyResult r = org.triage.events.StudyResult.newBuilder().setStudyResultId("study-result-2").setStudyInstanceUid(STUDY)
                .setPatientPseudonym("p").setModel(new org.triage.events.ModelRef("cmdml", "v1")).setVersion(2).setFilms(films).setLabels(labels)
                .setMaxNoveltyScore(1f).setFirstReceivedAt(t).setLastFilmAt(t).setEmittedAt(t.plusSeconds(60)).setQuietTimeMs(60_000).build();
        try (Serde<org.triage.events.StudyResult> serde = AvroSerdes.specific(org.triage.events.StudyResult.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, org.triage.events.StudyResult> p = new KafkaProducer<>(producerConfig(), new StringSerializer(), serde.serializer())) {
            p.send(new ProducerRecord<>(Topics.STUDY_RESULTS, STUDY + "|cmdml:v1", r)).get(30, TimeUnit.SECONDS);
        }
    }

    /** A chest-like 8-bit preview (dark lungs in a bright body), different per seed. */
    static void thumbnail(String sop, int seed) throws Exception {
        BufferedImage img = new BufferedImage(112, 128, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 112; x++) {
                double body = Math.hypot((x - 56) / 50.0, (y - 64) / 60.0) < 1 ? 170 : 20;
                boolean lung = Math.hypot((Math.abs(x - 56) - 22) / 16.0, (y - 60) / (34.0 + seed)) < 1;
                img.getRaster().setSample(x, y, 0, (int) (lung ? 60 + (x * 7 + y * 3 + seed * 11) % 30 : body));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.THUMBNAILS, sop, png.toByteArray())).get(30, TimeUnit.SECONDS);
        }
    }

    static void prototype(String id) throws Exception {
        LabelPrototype p = LabelPrototype.newBuilder().setLabelId(id).setDisplayName(id).setVector(List.of(0.1f, 0.2f))
                .setVectorEncoder("test").setDimension(2).setKind(PrototypeKind.UNSEEN)
                .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.NEVER).build()).setSeverity(Severity.MEDIUM)
                .setAuthor("test").setVersion(1).setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
        try (Serde<LabelPrototype> serde = AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, LabelPrototype> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, id, p)).get(30, TimeUnit.SECONDS);
        }
    }

    static <V> List<ConsumerRecord<String, V>> readAll(String topic, Deserializer<V> values) {
        java.util.Properties p = new java.util.Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        List<ConsumerRecord<String, V>> out = new ArrayList<>(org.triage.schemas.kafka.TopicRecords.all(p, topic, values,
                Duration.ofSeconds(20)));
        out.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
        return out;
    }

    static String onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            File f = new File(d, exe);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        return null;
    }
}
