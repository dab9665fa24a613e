package org.triage.ingest.files;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ChestX-ray14-style label file: header with "Image Index" and "Finding Labels" (labels separated by
 * '|'), optionally "Patient ID" (only ever used as pseudonymiser input).
 */
public final class LabelsCsv {
    /** Labels and patient id of one image. */
    public record Entry(List<String> labels, String patientId) {
    }

    private final Map<String, Entry> byImage;

    private LabelsCsv(Map<String, Entry> byImage) {
        this.byImage = byImage;
    }

    public static LabelsCsv read(Path csv) throws IOException {
        Map<String, Entry> m = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(csv + " is empty");
            }
            List<String> cols = split(header.replace("\uFEFF", ""));
            int image = cols.indexOf("Image Index");
            int labels = cols.indexOf("Finding Labels");
            int patient = cols.indexOf("Patient ID");
            if (image < 0 || labels < 0) {
                throw new IOException(csv + " needs the columns 'Image Index' and 'Finding Labels' (found " + cols + ")");
            }
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = split(line);
                if (f.size() <= Math.max(image, labels)) {
                    continue;
                }
                List<String> ls = Arrays.stream(f.get(labels).split("\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                String pid = patient >= 0 && patient < f.size() ? f.get(patient) : null;
                m.put(f.get(image).trim(), new Entry(ls, pid));
            }
        }
        return new LabelsCsv(m);
    }

    public Entry forFile(Path file) {
        return byImage.get(file.getFileName().toString());
    }

    public int size() {
        return byImage.size();
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    sb.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(sb.toString().trim());
                sb.setLength(0);
            } else {
                sb.append(c);
            }
        }
        out.add(sb.toString().trim());
        return out;
    }
}
