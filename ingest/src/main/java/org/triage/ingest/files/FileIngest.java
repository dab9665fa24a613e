package org.triage.ingest.files;

import org.triage.schemas.cli.ConsoleProgress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.IngestResult;

/** Replays DICOM, PNG and JPEG files (single files or folders, recursively) through the pipeline. */
public final class FileIngest {
    /** Totals of one run. */
    public record Summary(int files, int stored, int failed, double seconds) {
    }

    private final IngestPipeline pipeline;
    private final LabelsCsv labels;
    private final PrintStream progressOut;

    public FileIngest(IngestPipeline pipeline, LabelsCsv labels, PrintStream progressOut) {
        this.pipeline = pipeline;
        this.labels = labels;
        this.progressOut = progressOut;
    }

    public static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new IOException("no such file or folder: " + p);
            }
        }
        return out;
    }

    public Summary run(List<Path> paths) throws IOException {
        List<Path> files = expand(paths);
        ConsoleProgress progress = progressOut != null && files.size() > 1 ? new ConsoleProgress("ingest files", files.size(), "img", progressOut) : null;
        long t0 = System.nanoTime();
        int stored = 0;
        int failed = 0;
        long maxBytes = pipeline.limits().maxDatasetBytes();
        for (Path f : files) {
            IngestResult r;
            long size = Files.size(f);
            if (size > maxBytes) {
                r = pipeline.rejectUnread(null, null, new byte[0], "file of " + size + " bytes exceeds the limit of " + maxBytes,
                        DicomException.Status.OUT_OF_RESOURCES, "files");
            } else {
                byte[] bytes = Files.readAllBytes(f);
                LabelsCsv.Entry e = labels == null ? null : labels.forFile(f);
                r = pipeline.ingestFileBytes(bytes, "files", e == null ? null : e.patientId(), e == null ? List.of() : e.labels());
            }
            if (r.ok()) {
                stored++;
            } else {
                failed++;
                if (progressOut != null) {
                    progressOut.printf("%n%s: %s%n", f, r.error());
                }
            }
            if (progress != null) {
                progress.update(stored + failed, failed == 0 ? "" : "failed " + failed);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        return new Summary(files.size(), stored, failed, (System.nanoTime() - t0) / 1e9);
    }
}
