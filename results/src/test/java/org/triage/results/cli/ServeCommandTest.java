package org.triage.results.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.triage.results.delivery.DeliveryTarget;
import picocli.CommandLine;

class ServeCommandTest {
    static ServeCommand parse(String... args) {
        CommandLine cl = new CommandLine(new ResultsCommand());
        CommandLine.ParseResult r = cl.parseArgs(args);
        CommandLine sub = r.subcommand().commandSpec().commandLine();
        return sub.getCommand();
    }

    @Test
    void everyTargetFromTheFlags() {
        ServeCommand c = parse("serve", "--fhir-url", "http://127.0.0.1:8080/fhir", "--mllp", "127.0.0.1:2575", "--pacs", "127.0.0.1:4242");
        assertEquals("127.0.0.1", c.bind, "the metrics endpoint stays local unless told otherwise");
        assertEquals(-1, c.metricsPort);
        assertEquals(java.util.List.of("fhir", "hl7", "dicom"), c.targets().stream().map(DeliveryTarget::name).toList());
        assertEquals(5, c.retryPolicy().attempts());
    }

    @Test
    void refusesToStartWithoutATargetOrWithABadOne() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ResultsCommand()).setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("serve"));
        assertTrue(err.toString().contains("at least one target"), err.toString());
        assertThrows(CommandLine.ParameterException.class, () -> parse("serve", "--mllp", "ris-no-port").targets());
        assertThrows(CommandLine.ParameterException.class, () -> parse("serve", "--fhir-url", "ftp://x/fhir").targets());
    }

    @Test
    void refusesAMissingStoreFolderRatherThanCreateAnEmptyOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path key = tmp.resolve("key");
        java.nio.file.Files.writeString(key, "0123456789abcdef0123456789abcdef");
        java.nio.file.Path missing = tmp.resolve("no-such-store");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ResultsCommand()).setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("serve", "--mllp", "127.0.0.1:2575", "--pseudonym-key-file", key.toString(), "--reid-dir", missing.toString()));
        assertTrue(err.toString().contains("no re-identification store folder"), err.toString());
        assertTrue(!java.nio.file.Files.exists(missing));
    }

    @Test
    void hostPortTakesIpv6Literals() {
        assertEquals(new ServeCommand.HostPort("::1", 2575), ServeCommand.HostPort.parse("[::1]:2575"));
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.HostPort.parse("ris:0"));
    }
}
