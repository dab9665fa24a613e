package org.triage.cli.demo;

import java.io.PrintStream;
import java.util.Locale;
import org.triage.schemas.cli.ConsoleProgress;

/** The demo's terminal: numbered steps, progress bars while work runs, one-line results under each step. */
final class Narrator {
    static final int STEPS = 8;
    private final PrintStream out;
    private int step;

    Narrator(PrintStream out) {
        this.out = out;
    }

    PrintStream stream() {
        return out;
    }

    void step(String title) {
        out.printf(Locale.ROOT, "[%d/%d] %s%n", ++step, STEPS, title);
    }

    void result(String line) {
        out.println("      " + line);
    }

    void result(String format, Object... args) {
        result(String.format(Locale.ROOT, format, args));
    }

    /** A line other programs read (bootstrap.servers=..., schema.registry.url=...), printed as it is. */
    void contract(String line) {
        out.println(line);
    }

    ConsoleProgress progress(String task, long total, String unit) {
        return new ConsoleProgress("      " + task, total, unit, out);
    }
}
