package org.triage.schemas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void logsPrintOneLinePerTenthWithRateEtaAndDetail() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress("job", 100, "img", new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        for (int i = 1; i <= 100; i++) {
            p.update(i, i == 100 ? "failed 2" : "");
        }
        p.finish();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, lines.length, "a first line, then one per completed tenth; none from finish after completion");
        assertTrue(lines[10].startsWith("job [##############################] 100/100 100.0% "), lines[10]);
        assertTrue(lines[10].contains(" img/s ETA 0:00 elapsed ") && lines[10].endsWith(" failed 2"), lines[10]);
    }

    @Test
    void lineShowsEtaFromRate() {
        ConsoleProgress p = new ConsoleProgress("t", 10, "step", new PrintStream(new ByteArrayOutputStream()), false);
        long start = System.nanoTime();
        String line = p.line(5, "", start + 10_000_000_000L);
        // 5 of 10 in ~10 s: ~0.5 step/s and ~10 s left
        assertTrue(line.contains("5/10  50.0% 0.5 step/s ETA 0:10"), line);
    }

    @Test
    void clockFormatsHoursAndRejectsNonFinite() {
        assertEquals("1:01:05", ConsoleProgress.clock(3665));
        assertEquals("2:05", ConsoleProgress.clock(125));
        assertEquals("--:--", ConsoleProgress.clock(Double.NaN));
    }
}
