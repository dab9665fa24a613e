package org.triage.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.triage.cli.demo.DemoLog;
import org.triage.cli.demo.DemoRun;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole system on the embedded stack, in one command: phantom data, a small model (trained
 * once and cached), ONNX export, prototypes, the stream, the alerts service, and images pushed
 * through the DICOM SCP like a modality would.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole system on the embedded stack: data, model, stream, DICOM intake, findings and alerts.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--headless", description = "No live console: run to completion and exit (with --summary for a JSON report).")
    boolean headless;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write the JSON summary (images, findings, alerts, auroc, throughput) here.")
    Path summary;

    @Option(names = "--images", defaultValue = "300", description = "Radiographs to send through the SCP (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--cache-dir", defaultValue = "${env:TRIAGE_CACHE_DIR:-${sys:user.home}/.cache/triage}",
            description = "Where the phantom dataset and the trained model are kept between runs (default ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--train-minutes", defaultValue = "4",
            description = "Training budget when no cached model exists (default ${DEFAULT-VALUE} min; the full benchmark is 'triage train').")
    double trainMinutes;

    @Option(names = "--retrain", description = "Ignore the cached model and train again.")
    boolean retrain;

    @Option(names = "--keep-running", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the story, keep the stack, stream and alerts page up until Ctrl-C (default unless --headless;"
                    + " --no-keep-running exits after the summary).")
    boolean keepRunning;

    @Option(names = "--emerging", paramLabel = "LABEL",
            description = "The unseen class that plays the new disease: absent from the prototypes at first, added during the run"
                    + " (default: the dataset's last unseen class).")
    String emerging;

    @Option(names = "--emerging-share", defaultValue = "0.2",
            description = "Share of the sent films that show the emerging class (default ${DEFAULT-VALUE}).")
    double emergingShare;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Give up waiting for findings after this long (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (!(emergingShare > 0 && emergingShare <= 0.5)) {
            System.out.println("triage demo: --emerging-share must be above 0 and at most 0.5 (a share of the films), got " + emergingShare);
            return 2;
        }
        Files.createDirectories(cacheDir);
        PrintStream out = System.out;
        Path log = DemoLog.start(cacheDir);
        out.println("triage demo: the story below; library logs go to " + log);
        DemoRun run = new DemoRun(cacheDir, images, trainMinutes, retrain, timeout, emerging, emergingShare, out);
        DemoRun.Summary s;
        try {
            s = run.run(keepRunning && !headless);
        } catch (Exception e) {
            LoggerFactory.getLogger(DemoCommand.class).error("demo failed", e);
            out.println("triage demo: stopped: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (details in " + log + ")");
            return 1;
        }
        if (summary != null) {
            s.write(summary);
            out.println("summary written to " + summary);
        }
        if (s.findings() < s.images()) {
            out.println("triage demo: only " + s.findings() + " of " + s.images() + " images produced a finding within " + timeout);
            return 1;
        }
        return 0;
    }
}
