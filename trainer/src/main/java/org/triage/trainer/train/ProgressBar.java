package org.triage.trainer.train;

import java.io.PrintStream;
import java.util.Locale;

/** One-line progress on stderr: epoch, bar, loss, images/s, ETA of the epoch and of the run. Redraws at most 4 times a second. */
final class ProgressBar {
    private final PrintStream out;
    private final boolean enabled;
    private long lastDraw;

    ProgressBar(PrintStream out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    void update(int epoch, int epochs, int step, int steps, double loss, double imagesPerSec, double runEtaSec, boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < 250_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 24;
        int filled = steps == 0 ? width : (int) ((long) width * step / steps);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] %d/%d loss %.4f %.1f img/s ETA %s ", epoch + 1, epochs, bar, step, steps,
                loss, imagesPerSec, clock(runEtaSec)));
        out.flush();
    }

    void endLine(String summary) {
        if (enabled) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        out.println(summary);
        out.flush();
    }

    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
