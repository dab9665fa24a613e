package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.stream.cli.PrototypeRepository;
import org.triage.stream.cli.PrototypesCommand;
import picocli.CommandLine;

/** The emerging-disease workflow through the CLI against a real broker: add, update, list, show, retire. */
@Timeout(120)
class PrototypesCommandTest {
    private static LocalStack stack;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--bootstrap-servers";
        full[args.length + 1] = stack.bootstrapServers();
        full[args.length + 2] = "--schema-registry-url";
        full[args.length + 3] = stack.schemaRegistryUrl();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new PrototypesCommand()).execute(full);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void addUpdateListShowRetire() throws Exception {
        Path vec = Files.writeString(tmp.resolve("v.json"), "[0.5, -1.25, 3]");
        Run add = run("add", "--id", "covid-19", "--name", "COVID-19", "--vector-file", vec.toString(), "--alert-quantile", "0.02",
                "--rare", "--severity", "HIGH", "--description", "viral pneumonia pattern");
        assertEquals(0, add.code, add.err);
        assertTrue(add.out.contains("added covid-19 version 1"), add.out);

        Run update = run("add", "--id", "covid-19", "--name", "COVID-19", "--vector-file", vec.toString(), "--alert-distance", "0.7");
        assertEquals(0, update.code, update.err);
        assertTrue(update.out.contains("updated covid-19 version 2"), update.out);

        PrototypeRepository repo = new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl());
        Map<String, LabelPrototype> current = repo.current(Duration.ofSeconds(20));
        LabelPrototype p = current.get("covid-19");
        assertEquals(2, p.getVersion());
        assertEquals(3, p.getDimension());
        assertEquals(-1.25f, p.getVector().get(1));
        assertEquals(PrototypeKind.UNSEEN, p.getKind());
        assertEquals(ThresholdMode.ABSOLUTE, p.getAlertPolicy().getMode());
        assertEquals(0.7, p.getAlertPolicy().getValue());

        Run list = run("list");
        assertEquals(0, list.code, list.err);
        assertTrue(list.out.contains("covid-19") && list.out.contains("1 active prototype(s)"), list.out);

        Run show = run("show", "--id", "covid-19");
        assertEquals(0, show.code, show.err);
        assertTrue(show.out.contains("\"labelId\": \"covid-19\""), show.out);

        Run retire = run("retire", "--id", "covid-19");
        assertEquals(0, retire.code, retire.err);
        assertFalse(repo.current(Duration.ofSeconds(20)).containsKey("covid-19"));
        assertEquals(1, run("show", "--id", "covid-19").code);
        assertEquals(1, run("retire", "--id", "covid-19").code);
    }

    @Test
    void badVectorsAreRefusedWithAClearMessage() throws Exception {
        Path zero = Files.writeString(tmp.resolve("zero.json"), "[0, 0, 0]");
        Run r = run("add", "--id", "x", "--name", "X", "--vector-file", zero.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("zero-norm"), r.err);
        Path text = Files.writeString(tmp.resolve("text.json"), "[1, \"a\"]");
        r = run("add", "--id", "x", "--name", "X", "--vector-file", text.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("element 1 is not a number"), r.err);
        r = run("add", "--id", "x", "--name", "X", "--vector-file", tmp.resolve("missing.json").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("does not exist"), r.err);
    }
}
