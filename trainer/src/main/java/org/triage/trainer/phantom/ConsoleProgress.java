package org.triage.trainer.phantom;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr with rate and ETA. On a terminal it redraws one line; otherwise
 * (logs, CI) it prints a line every 10% so logs stay readable.
 */
public final class ConsoleProgress {
    private final String task;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    public ConsoleProgress(String task, long total, PrintStream out) {
        this(task, total, out, System.console() != null);
    }

    ConsoleProgress(String task, long total, PrintStream out, boolean interactive) {
        this.task = task;
        this.total = Math.max(1, total);
        this.out = out;
        this.interactive = interactive;
    }

    public synchronized void update(long done) {
        long now = System.nanoTime();
        if (interactive) {
            if (done < total && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done, now));
            if (done >= total) {
                out.println();
            }
        } else {
            int decile = (int) (10 * done / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                out.println(line(done, now));
            }
        }
        out.flush();
    }

    String line(long done, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        int width = 30;
        int filled = (int) (width * Math.min(done, total) / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String eta = rate > 0 ? clock((total - done) / rate) : "--:--";
        return String.format(Locale.ROOT, "%s [%s] %d/%d %5.1f%% %.1f/s ETA %s elapsed %s", task, bar, done, total,
                100.0 * done / total, rate, eta, clock(seconds));
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
