package org.triage.schemas.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The one progress bar of every long job (phantom generation, training, file ingest): a bar with
 * count, rate and ETA on stderr. On a terminal it redraws one line at most five times a second;
 * otherwise (logs, CI) it prints a line every 10% so logs stay readable.
 */
public final class ConsoleProgress {
    private final String task;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private boolean lineOpen;

    /** @param unit what is counted, shown in the rate ("img" gives "12.3 img/s") */
    public ConsoleProgress(String task, long total, String unit, PrintStream out) {
        this(task, total, unit, out, System.console() != null);
    }

    public ConsoleProgress(String task, long total, String unit, PrintStream out, boolean interactive) {
        this.task = task;
        this.unit = unit;
        this.total = Math.max(1, total);
        this.out = out;
        this.interactive = interactive;
    }

    public void update(long done) {
        update(done, "");
    }

    /** @param detail appended to the line (loss, failures...); empty for none */
    public synchronized void update(long done, String detail) {
        long now = System.nanoTime();
        if (interactive) {
            if (done < total && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done, detail, now) + " ");
            lineOpen = done < total;
            if (!lineOpen) {
                out.println();
            }
        } else {
            int decile = (int) (10 * Math.min(done, total) / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                out.println(line(done, detail, now));
            }
        }
        out.flush();
    }

    /** Ends an interactive line early (a job stopped before its total) so the next output starts clean. */
    public synchronized void finish() {
        if (lineOpen) {
            lineOpen = false;
            out.println();
            out.flush();
        }
    }

    public String line(long done, String detail, long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = done / seconds;
        int width = 30;
        int filled = (int) (width * Math.min(done, total) / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String eta = rate > 0 ? clock((total - Math.min(done, total)) / rate) : "--:--";
        return String.format(Locale.ROOT, "%s [%s] %d/%d %5.1f%% %.1f %s/s ETA %s elapsed %s%s", task, bar, done, total,
                100.0 * done / total, rate, unit, eta, clock(seconds), detail.isEmpty() ? "" : " " + detail);
    }

    public static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
