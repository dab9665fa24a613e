package org.triage.ingest.files;

import java.io.PrintStream;

/** A one-line progress bar with rate and ETA on stderr, redrawn at most five times a second. */
final class Progress {
    private final PrintStream out;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(PrintStream out, long total) {
        this.out = out;
        this.total = total;
    }

    void update(long done, long failed, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        String eta = rate > 0 && done < total ? duration((long) ((total - done) / rate)) : "--";
        out.printf("\r[%s%s] %d/%d  %.1f img/s  ETA %s  failed %d ", "=".repeat(filled), " ".repeat(width - filled), done, total,
                rate, eta, failed);
        if (force) {
            out.println();
        }
        out.flush();
    }

    private static String duration(long s) {
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
