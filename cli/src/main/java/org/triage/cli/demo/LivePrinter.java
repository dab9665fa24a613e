package org.triage.cli.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.LabelScore;

/** One line per finding and per alert as they arrive, for the demo's terminal. */
class LivePrinter implements DemoCollector.Listener {
    private final PrintStream out;

    LivePrinter(PrintStream out) {
        this.out = out;
    }

    /** For --headless: the story's own lines only. */
    static final class Silent extends LivePrinter {
        Silent() {
            super(null);
        }

        @Override
        public void finding(Finding f) {
        }

        @Override
        public void alert(Alert a, boolean update) {
        }
    }

    @Override
    public void finding(Finding f) {
        StringBuilder top = new StringBuilder();
        List<LabelScore> ls = f.getLabels();
        for (int i = 0; i < Math.min(3, ls.size()); i++) {
            LabelScore s = ls.get(i);
            top.append(String.format(Locale.ROOT, " %s%s(%.2f)", s.getLabelId(), s.getAboveThreshold() ? "*" : "", s.getScore()));
        }
        out.printf(Locale.ROOT, "finding  %-6s batch=%-3d latency=%4dms novelty=%.2f top:%s%n",
                shortId(f.getSopInstanceUid()), f.getBatchSize(), f.getLatencyMs(), f.getNoveltyScore(), top);
    }

    @Override
    public void alert(Alert a, boolean update) {
        if (a.getCluster() != null) {
            out.printf(Locale.ROOT, "ALERT    cluster %-14s %-8s %s: %d films%n", a.getCluster().getClusterId(), a.getSeverity(),
                    update ? "grew" : "formed", a.getCluster().getSize());
            return;
        }
        out.printf(Locale.ROOT, "ALERT    %-6s %-20s %-8s label=%s distance=%.3f threshold=%.3f (lower = closer)%n", shortId(a.getSopInstanceUid()),
                a.getType(), a.getSeverity(), a.getLabelId(), a.getScore(), a.getThreshold());
    }

    private static String shortId(String sop) {
        return sop.length() > 6 ? sop.substring(sop.length() - 6) : sop;
    }
}
