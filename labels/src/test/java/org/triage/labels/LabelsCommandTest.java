package org.triage.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.ConfirmedLabels;
import org.triage.labels.cli.LabelsCommand;
import org.triage.platform.LocalStack;
import picocli.CommandLine;

/**
 * {@code triage labels add|list} against a real broker and registry: every test checks what
 * landed on the {@code labels} topic, including that refused input left nothing there.
 */
class LabelsCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalStack stack;
    static TopicFixture topics;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        topics = new TopicFixture(stack);
        for (String id : List.of("Pneumonia", "Effusion", "covid19", "Atelectasis")) topics.prototype(id);
        topics.prototype("old-label");
        topics.retire("old-label");
        for (int i = 1; i <= 9; i++) topics.film("1.2.3.4." + i);
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    record Run(int code, String out, String err) {
    }

    static Run triage(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-servers=" + stack.bootstrapServers());
        all.add("--schema-registry-url=" + stack.schemaRegistryUrl());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new LabelsCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(all.toArray(String[]::new));
        Run r = new Run(code, out.toString(), err.toString());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
        return r;
    }

    static void assertOneLine(Run r) {
        assertEquals(1, r.err().strip().lines().count(), "one line saying what to fix: " + r.err());
    }

    @Test
    void singleAddWritesOneConfirmationWithWhoAndWhen() {
        long before = System.currentTimeMillis();
        Run r = triage("add", "--sop", "1.2.3.4.1", "--labels", "Pneumonia,Effusion", "--absent", "covid19", "--by", "dr.smith");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("labels.published=1"), r.out());
        List<TopicFixture.Landed> landed = topics.labelsFor("1.2.3.4.1");
        assertEquals(1, landed.size());
        assertEquals(0, landed.get(0).magic(), "Confluent wire format starts with magic byte 0");
        ConfirmedLabels c = landed.get(0).value();
        assertEquals("1.2.3.4.1", c.getSopInstanceUid());
        assertEquals(List.of("Pneumonia", "Effusion"), c.getLabels());
        assertEquals(List.of("covid19"), c.getAbsent());
        assertEquals("dr.smith", c.getRadiologist());
        assertEquals("radiologist", c.getSource());
        assertTrue(c.getConfirmedAt().toEpochMilli() >= before && c.getConfirmedAt().toEpochMilli() <= System.currentTimeMillis());
    }

    @Test
    void unknownOrRetiredLabelIsRefusedAndNothingIsWritten() {
        int before = topics.labels().size();
        Run r = triage("add", "--sop", "1.2.3.4.2", "--labels", "Pneumonia,Pneumonitis", "--by", "dr.smith");
        assertEquals(2, r.code());
        assertOneLine(r);
        assertTrue(r.err().contains("unknown or retired label Pneumonitis"), r.err());
        Run retired = triage("add", "--sop", "1.2.3.4.2", "--absent", "old-label", "--by", "dr.smith");
        assertEquals(2, retired.code());
        assertTrue(retired.err().contains("old-label"), retired.err());
        assertEquals(before, topics.labels().size(), "nothing published");
    }

    @Test
    void unknownSopIsRefusedAndNothingIsWritten() {
        int before = topics.labels().size();
        Run r = triage("add", "--sop", "9.9.9.9", "--labels", "Pneumonia", "--by", "dr.smith");
        assertEquals(2, r.code());
        assertOneLine(r);
        assertTrue(r.err().contains("unknown SOP Instance UID"), r.err());
        assertEquals(before, topics.labels().size(), "nothing published");
    }

    @Test
    void aLabelCannotBeBothPresentAndAbsentAndWhoIsRequired() {
        int before = topics.labels().size();
        Run both = triage("add", "--sop", "1.2.3.4.2", "--labels", "Pneumonia", "--absent", "Pneumonia", "--by", "dr.smith");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("cannot be both present and absent"), both.err());
        Run noBy = triage("add", "--sop", "1.2.3.4.2", "--labels", "Pneumonia");
        assertEquals(2, noBy.code());
        assertTrue(noBy.err().contains("--by"), noBy.err());
        assertEquals(before, topics.labels().size(), "nothing published");
    }

    @Test
    void csvImportPublishesEveryRow() throws Exception {
        Path csv = dir.resolve("good.csv");
        Files.writeString(csv, """
                sop,labels,absent,by,confirmedAt
                1.2.3.4.3,Pneumonia|Effusion,covid19,dr.jones,2026-01-31T12:00:00Z
                1.2.3.4.4,Atelectasis;Effusion,,,
                1.2.3.4.5,,,dr.jones,
                """, StandardCharsets.UTF_8);
        Run r = triage("add", "--from-csv", csv.toString(), "--by", "importer");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("labels.published=3"), r.out());
        ConfirmedLabels a = single("1.2.3.4.3");
        assertEquals(List.of("Pneumonia", "Effusion"), a.getLabels());
        assertEquals(List.of("covid19"), a.getAbsent());
        assertEquals("dr.jones", a.getRadiologist());
        assertEquals(Instant.parse("2026-01-31T12:00:00Z"), a.getConfirmedAt());
        ConfirmedLabels b = single("1.2.3.4.4");
        assertEquals(List.of("Atelectasis", "Effusion"), b.getLabels());
        assertEquals("importer", b.getRadiologist(), "an empty by takes --by");
        ConfirmedLabels c = single("1.2.3.4.5");
        assertTrue(c.getLabels().isEmpty() && c.getAbsent().isEmpty(), "no finding");
    }

    @Test
    void csvWithBadRowsNamesEveryLineAndPublishesNothing() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, """
                sop,labels,absent,by
                1.2.3.4.6,Pneumonia,,dr.jones
                1.2.3.4.7,Pneumonitis,,dr.jones
                9.9.9.9,Pneumonia,,dr.jones
                1.2.3.4.8,Pneumonia,Effusion,dr.jones,extra
                1.2.3.4.9,Effusion,Effusion,dr.jones
                """, StandardCharsets.UTF_8);
        int before = topics.labels().size();
        Run r = triage("add", "--from-csv", csv.toString());
        assertEquals(2, r.code());
        for (int line = 3; line <= 6; line++) assertTrue(r.err().contains("line " + line + ":"), "line " + line + " reported: " + r.err());
        assertFalse(r.err().contains("line 2:"), r.err());
        assertTrue(r.err().contains("Pneumonitis") && r.err().contains("unknown SOP") && r.err().contains("expected 4 fields")
                && r.err().contains("both present and absent"), r.err());
        assertTrue(r.err().contains("nothing published"), r.err());
        assertEquals(before, topics.labels().size(), "nothing published");

        Run skip = triage("add", "--from-csv", csv.toString(), "--skip-bad-rows");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.out().contains("labels.published=1 labels.skipped=4"), skip.out());
        assertEquals(before + 1, topics.labels().size());
        assertEquals(List.of("Pneumonia"), single("1.2.3.4.6").getLabels());
    }

    @Test
    void malformedFileIsOneLine() throws Exception {
        Path csv = dir.resolve("header.csv");
        Files.writeString(csv, "film,findings\n1.2.3.4.1,Pneumonia\n", StandardCharsets.UTF_8);
        int before = topics.labels().size();
        Run r = triage("add", "--from-csv", csv.toString(), "--by", "x");
        assertEquals(2, r.code());
        assertOneLine(r);
        assertTrue(r.err().contains("header must be sop,labels,absent,by[,confirmedAt]"), r.err());
        Run missing = triage("add", "--from-csv", dir.resolve("nope.csv").toString(), "--by", "x");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Files.write(dir.resolve("latin1.csv"), "sop,labels,absent,by\n1.2.3.4.1,Pneumonia,,Dr. M\u00fcller\n".getBytes(StandardCharsets.ISO_8859_1));
        Run latin = triage("add", "--from-csv", dir.resolve("latin1.csv").toString());
        assertEquals(2, latin.code());
        assertTrue(latin.err().contains("not UTF-8"), latin.err());
        assertEquals(before, topics.labels().size(), "nothing published");
    }

    @Test
    void aLaterConfirmationSupersedesAnEarlierOne() throws Exception {
        assertEquals(0, triage("add", "--sop", "1.2.3.4.9", "--labels", "Pneumonia", "--by", "dr.first").code());
        assertEquals(0, triage("add", "--sop", "1.2.3.4.9", "--labels", "Effusion", "--absent", "Pneumonia", "--by", "dr.second").code());
        List<TopicFixture.Landed> landed = topics.labelsFor("1.2.3.4.9");
        assertEquals(2, landed.size(), "both statements stay on the topic");

        Run one = triage("list", "--sop", "1.2.3.4.9", "--json");
        assertEquals(0, one.code(), one.err());
        JsonNode arr = JSON.readTree(one.out());
        assertEquals(1, arr.size());
        assertEquals("dr.second", arr.get(0).get("radiologist").asText());
        assertEquals("Effusion", arr.get(0).get("labels").get(0).asText());
        assertEquals("Pneumonia", arr.get(0).get("absent").get(0).asText());

        Run all = triage("list", "--json");
        JsonNode films = JSON.readTree(all.out());
        int seen = 0;
        for (JsonNode f : films) {
            if (f.get("sopInstanceUid").asText().equals("1.2.3.4.9")) {
                seen++;
                assertEquals("dr.second", f.get("radiologist").asText());
            }
        }
        assertEquals(1, seen, "one line per film");
        Run table = triage("list", "--sop", "1.2.3.4.9");
        assertTrue(table.out().contains("dr.second") && !table.out().contains("dr.first"), table.out());
    }

    @Test
    void usageErrorsAreOneLine() {
        Run neither = triage("add", "--by", "x");
        assertEquals(2, neither.code());
        assertOneLine(neither);
        Run bare = triage();
        assertEquals(2, bare.code());
    }

    private static ConfirmedLabels single(String sop) {
        List<TopicFixture.Landed> l = topics.labelsFor(sop);
        assertEquals(1, l.size(), "one record for " + sop);
        return l.get(0).value();
    }
}
