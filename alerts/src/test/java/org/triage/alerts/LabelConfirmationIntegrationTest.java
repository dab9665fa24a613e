package org.triage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.triage.alerts.auth.TokenStore;
import org.triage.events.ActionType;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.events.AlertPolicy;
import org.triage.events.AlertType;
import org.triage.events.ConfirmedLabels;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Confirm / reject / film labels through the service on a real broker and registry: what lands on
 * {@code labels} and {@code alert-actions}, and that refused requests land nothing.
 */
class LabelConfirmationIntegrationTest {
    static final String VIEWER = "lc-viewer-token-0123456789";
    static final String RESPONDER = "lc-responder-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FILM_WITHOUT_ALERT = "1.2.826.0.1.777.1";

    static LocalStack stack;
    static AlertsService service;
    static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Alert confirmMe;
    static Alert rejectMe;
    static Alert noveltyAlert;
    static Alert retiredLabelAlert;
    static final String TWO_ALERT_FILM = "1.2.826.0.1.777.2";
    static Alert firstOnFilm;
    static Alert secondOnFilm;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        for (String id : List.of("covid19", "Pneumonia", "Effusion")) prototype(id);
        long now = System.currentTimeMillis() - 3_600_000;
        confirmMe = alert("lc-confirm", now);
        rejectMe = alert("lc-reject", now + 1);
        noveltyAlert = alert("lc-novelty", now + 2, AlertType.NOVELTY, null, Severity.MEDIUM);
        retiredLabelAlert = alert("lc-retired", now + 3, AlertType.UNSEEN_CLASS, "sars-1", Severity.HIGH);
        firstOnFilm = Alert.newBuilder(alert("lc-film-1", now + 4)).setSopInstanceUid(TWO_ALERT_FILM).build();
        secondOnFilm = Alert.newBuilder(alert("lc-film-2", now + 5, AlertType.RARE_FINDING, "Pneumonia", Severity.HIGH))
                .setSopInstanceUid(TWO_ALERT_FILM).build();
        try (Serde<Alert> serde = AvroSerdes.specific(Alert.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, Alert> p = new KafkaProducer<>(producerConfig(), new StringSerializer(), serde.serializer())) {
            for (Alert a : List.of(confirmMe, rejectMe, noveltyAlert, retiredLabelAlert, firstOnFilm, secondOnFilm)) p.send(new ProducerRecord<>(Topics.ALERTS, a.getAlertId(), a)).get();
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.FINDINGS, FILM_WITHOUT_ALERT, new byte[] {0})).get();
        }
        service = AlertsService.builder()
                .bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.schemaRegistryUrl())
                .tokens(TokenStore.parse(List.of(VIEWER + ":viewer:vera", RESPONDER + ":responder:dr.rita"), "test"))
                .port(0)
                .build()
                .start();
        assertTrue(service.awaitLive(Duration.ofSeconds(60)), "the view never caught up");
        long deadline = System.currentTimeMillis() + 30_000;
        while (service.view().size() < 6 && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertEquals(6, service.view().size());
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (stack != null) stack.close();
    }

    @Test
    void confirmWritesTheAlertsLabelAsPresentAndNotesItOnTheAlert() throws Exception {
        HttpResponse<String> r = post("/api/alerts/lc-confirm/confirm", RESPONDER, "");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("dr.rita", JSON.readTree(r.body()).get("radiologist").asText());
        List<ConfirmedLabels> landed = labelsFor(confirmMe.getSopInstanceUid());
        assertEquals(1, landed.size());
        ConfirmedLabels c = landed.get(0);
        assertEquals(List.of("covid19"), c.getLabels());
        assertEquals(List.of(), c.getAbsent());
        assertEquals("dr.rita", c.getRadiologist());
        assertEquals("radiologist", c.getSource());
        assertTrue(Math.abs(c.getConfirmedAt().toEpochMilli() - System.currentTimeMillis()) < 60_000);
        List<AlertAction> actions = actionsFor("lc-confirm");
        assertEquals(1, actions.size());
        assertEquals(ActionType.COMMENT, actions.get(0).getAction());
        assertEquals("dr.rita", actions.get(0).getActor());
        assertTrue(actions.get(0).getComment().contains("confirmed: covid19 present"), actions.get(0).getComment());
        assertEquals(c.getConfirmedAt(), actions.get(0).getAt(), "history shows when");
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("triage_alerts_label_confirmations_accepted_total"), metrics.body());
    }

    @Test
    void rejectWritesTheAlertsLabelAsAbsent() throws Exception {
        HttpResponse<String> r = post("/api/alerts/lc-reject/reject", RESPONDER, "");
        assertEquals(202, r.statusCode(), r.body());
        List<ConfirmedLabels> landed = labelsFor(rejectMe.getSopInstanceUid());
        assertEquals(1, landed.size());
        assertEquals(List.of(), landed.get(0).getLabels());
        assertEquals(List.of("covid19"), landed.get(0).getAbsent());
        List<AlertAction> actions = actionsFor("lc-reject");
        assertEquals(1, actions.size());
        assertTrue(actions.get(0).getComment().contains("rejected: covid19 absent"), actions.get(0).getComment());
    }

    @Test
    void aSecondAlertOnAFilmBuildsOnTheFirstConfirmation() throws Exception {
        HttpResponse<String> first = post("/api/alerts/lc-film-1/confirm", RESPONDER, "");
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(JSON.readTree(first.body()).get("supersedes").isNull());
        HttpResponse<String> second = post("/api/alerts/lc-film-2/reject", RESPONDER, "");
        assertEquals(202, second.statusCode(), second.body());
        assertTrue(JSON.readTree(second.body()).get("supersedes").isTextual(), second.body());
        List<ConfirmedLabels> landed = labelsFor(TWO_ALERT_FILM);
        assertEquals(2, landed.size());
        assertEquals(List.of("covid19"), landed.get(1).getLabels(), "the first alert's confirmation is kept");
        assertEquals(List.of("Pneumonia"), landed.get(1).getAbsent());
        // Changing one's mind about the first alert flips that label only.
        assertEquals(202, post("/api/alerts/lc-film-1/reject", RESPONDER, "").statusCode());
        ConfirmedLabels third = labelsFor(TWO_ALERT_FILM).get(2);
        assertEquals(List.of(), third.getLabels());
        assertEquals(List.of("Pneumonia", "covid19"), third.getAbsent());
    }

    @Test
    void filmLabelsWriteAFullStatement() throws Exception {
        HttpResponse<String> r = post("/api/films/" + FILM_WITHOUT_ALERT + "/labels", RESPONDER,
                "{\"labels\":[\"Pneumonia\",\"Effusion\"],\"absent\":[\"covid19\"]}");
        assertEquals(202, r.statusCode(), r.body());
        List<ConfirmedLabels> landed = labelsFor(FILM_WITHOUT_ALERT);
        assertEquals(1, landed.size());
        assertEquals(List.of("Pneumonia", "Effusion"), landed.get(0).getLabels());
        assertEquals(List.of("covid19"), landed.get(0).getAbsent());
        assertEquals("dr.rita", landed.get(0).getRadiologist());
    }

    @Test
    void filmLabelsOnAFilmWithAnAlertNoteItOnThatAlert() throws Exception {
        HttpResponse<String> r = post("/api/films/" + retiredLabelAlert.getSopInstanceUid() + "/labels", RESPONDER, "{\"labels\":[\"Pneumonia\"]}");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(List.of("Pneumonia"), labelsFor(retiredLabelAlert.getSopInstanceUid()).get(0).getLabels());
        List<AlertAction> actions = actionsFor("lc-retired");
        assertEquals(1, actions.size());
        assertTrue(actions.get(0).getComment().contains("present Pneumonia; absent none"), actions.get(0).getComment());
    }

    @Test
    void viewersMayNotConfirm() throws Exception {
        int before = allLabels().size();
        HttpResponse<String> r = post("/api/alerts/lc-confirm/confirm", VIEWER, "");
        assertEquals(403, r.statusCode());
        assertTrue(error(r).contains("needs responder"), r.body());
        assertEquals(403, post("/api/alerts/lc-reject/reject", VIEWER, "").statusCode());
        assertEquals(403, post("/api/films/" + FILM_WITHOUT_ALERT + "/labels", VIEWER, "{\"labels\":[\"Pneumonia\"]}").statusCode());
        assertEquals(401, post("/api/alerts/lc-confirm/confirm", null, "").statusCode());
        assertEquals(before, allLabels().size(), "nothing published");
    }

    @Test
    void refusedRequestsSayWhyAndPublishNothing() throws Exception {
        int before = allLabels().size();
        HttpResponse<String> unknownAlert = post("/api/alerts/no-such-alert/confirm", RESPONDER, "");
        assertEquals(404, unknownAlert.statusCode());
        assertTrue(error(unknownAlert).contains("unknown alert: no-such-alert"), unknownAlert.body());

        HttpResponse<String> noLabel = post("/api/alerts/lc-novelty/confirm", RESPONDER, "");
        assertEquals(409, noLabel.statusCode());
        assertTrue(error(noLabel).contains("/api/films/{sop}/labels"), noLabel.body());

        HttpResponse<String> retired = post("/api/alerts/lc-retired/reject", RESPONDER, "");
        assertEquals(400, retired.statusCode());
        assertTrue(error(retired).contains("unknown or retired label sars-1"), retired.body());

        String film = "/api/films/" + FILM_WITHOUT_ALERT + "/labels";
        HttpResponse<String> badJson = post(film, RESPONDER, "{\"labels\":[\"Pneumonia\"");
        assertEquals(400, badJson.statusCode());
        assertTrue(error(badJson).contains("not valid JSON"), badJson.body());
        HttpResponse<String> unknownField = post(film, RESPONDER, "{\"labels\":[],\"present\":[\"Pneumonia\"]}");
        assertEquals(400, unknownField.statusCode());
        assertTrue(error(unknownField).contains("unknown field 'present'"), unknownField.body());
        HttpResponse<String> unknownLabel = post(film, RESPONDER, "{\"labels\":[\"Pneumonitis\"]}");
        assertEquals(400, unknownLabel.statusCode());
        assertTrue(error(unknownLabel).contains("unknown or retired label Pneumonitis"), unknownLabel.body());
        HttpResponse<String> both = post(film, RESPONDER, "{\"labels\":[\"Pneumonia\"],\"absent\":[\"Pneumonia\"]}");
        assertEquals(400, both.statusCode());
        assertTrue(error(both).contains("both present and absent"), both.body());
        HttpResponse<String> unknownFilm = post("/api/films/9.9.9.9/labels", RESPONDER, "{\"labels\":[\"Pneumonia\"]}");
        assertEquals(404, unknownFilm.statusCode());
        assertTrue(error(unknownFilm).contains("unknown film"), unknownFilm.body());
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(service.url() + film)).header("Authorization", "Bearer " + RESPONDER)
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());

        assertEquals(before, allLabels().size(), "nothing published");
    }

    // ---- helpers

    static Map<String, Object> producerConfig() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
    }

    static void prototype(String id) throws Exception {
        LabelPrototype p = LabelPrototype.newBuilder().setLabelId(id).setDisplayName(id).setVector(List.of(0.1f, 0.2f))
                .setVectorEncoder("test").setDimension(2).setKind(PrototypeKind.UNSEEN)
                .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.NEVER).build()).setSeverity(Severity.MEDIUM)
                .setAuthor("test").setVersion(1).setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
        try (Serde<LabelPrototype> serde = AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, LabelPrototype> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, id, p)).get();
        }
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("error").asText();
    }

    static List<ConfirmedLabels> allLabels() {
        try (Serde<ConfirmedLabels> serde = AvroSerdes.specific(ConfirmedLabels.class, stack.schemaRegistryUrl(), false)) {
            return readAll(Topics.LABELS, serde.deserializer()).stream().map(ConsumerRecord::value).toList();
        }
    }

    static List<ConfirmedLabels> labelsFor(String sop) {
        try (Serde<ConfirmedLabels> serde = AvroSerdes.specific(ConfirmedLabels.class, stack.schemaRegistryUrl(), false)) {
            return readAll(Topics.LABELS, serde.deserializer()).stream().filter(r -> sop.equals(r.key()))
                    .sorted(Comparator.comparingLong(ConsumerRecord::offset)).map(ConsumerRecord::value).toList();
        }
    }

    static List<AlertAction> actionsFor(String alertId) {
        try (Serde<AlertAction> serde = AvroSerdes.specific(AlertAction.class, stack.schemaRegistryUrl(), false)) {
            return readAll(Topics.ALERT_ACTIONS, serde.deserializer()).stream().filter(r -> alertId.equals(r.key()))
                    .map(ConsumerRecord::value).toList();
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
}
