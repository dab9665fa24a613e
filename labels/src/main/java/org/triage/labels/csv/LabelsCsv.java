package org.triage.labels.csv;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.triage.labels.Confirmations;

/**
 * Reads an import file: header {@code sop,labels,absent,by[,confirmedAt]}, one film per row,
 * label ids separated by {@code |} or {@code ;}. An empty {@code by} takes the command's
 * {@code --by}; an empty {@code confirmedAt} (or no such column) takes the import time.
 * Syntax only: whether labels and films exist is {@link LabelsImport}'s job.
 */
public final class LabelsCsv {
    static final List<String> HEADER = List.of("sop", "labels", "absent", "by");
    static final String HEADER_TEXT = "sop,labels,absent,by[,confirmedAt]";

    /** Rows that parsed and the lines that did not; both in file order. */
    public record Parsed(List<CsvRow> rows, List<RowProblem> problems) {
    }

    private LabelsCsv() {
    }

    public static Parsed read(Path file, String defaultBy, Instant now, String source) throws MalformedFileException {
        List<String> lines;
        try {
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            lines = Arrays.asList(decoder.decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString().split("\r?\n", -1));
        } catch (NoSuchFileException e) {
            throw new MalformedFileException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new MalformedFileException(file + ": not UTF-8 text (save it as UTF-8 CSV)");
        } catch (IOException e) {
            throw new MalformedFileException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(file.toString(), lines, defaultBy, now, source);
    }

    static Parsed parse(String name, List<String> lines, String defaultBy, Instant now, String source) throws MalformedFileException {
        int headerAt = firstNonBlank(lines);
        if (headerAt < 0) throw new MalformedFileException(name + ": empty file (expected the header " + HEADER_TEXT + ")");
        String headerLine = lines.get(headerAt);
        if (headerLine.startsWith("\uFEFF")) headerLine = headerLine.substring(1); // Excel's UTF-8 byte-order mark
        List<String> header;
        try {
            header = CsvLine.split(headerLine).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(name + ": line " + (headerAt + 1) + ": " + e.getMessage());
        }
        boolean withTime = header.size() == 5 && header.get(4).equals("confirmedat");
        if (!(header.size() == 4 || withTime) || !header.subList(0, 4).equals(HEADER)) {
            throw new MalformedFileException(name + ": line " + (headerAt + 1) + ": the header must be " + HEADER_TEXT
                    + ", found " + String.join(",", header));
        }
        List<CsvRow> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        for (int i = headerAt + 1; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) continue;
            int line = i + 1;
            try {
                rows.add(new CsvRow(line, row(CsvLine.split(text), header.size(), defaultBy, now, source)));
            } catch (IllegalArgumentException e) {
                problems.add(new RowProblem(line, e.getMessage()));
            }
        }
        if (rows.isEmpty() && problems.isEmpty()) throw new MalformedFileException(name + ": no rows after the header");
        return new Parsed(rows, problems);
    }

    private static org.triage.events.ConfirmedLabels row(List<String> f, int columns, String defaultBy, Instant now, String source) {
        if (f.size() != columns) {
            throw new IllegalArgumentException("expected " + columns + " fields (" + (columns == 5 ? HEADER_TEXT.replace("[,", ",").replace("]", "")
                    : "sop,labels,absent,by") + "), found " + f.size() + " (use | or ; between labels, not commas)");
        }
        String sop = f.get(0);
        if (sop.isEmpty()) throw new IllegalArgumentException("the sop field is empty");
        String by = f.get(3).isEmpty() ? defaultBy : f.get(3);
        if (by == null || by.isBlank()) throw new IllegalArgumentException("the by field is empty and no --by was given");
        Instant at = columns == 5 && !f.get(4).isEmpty() ? instant(f.get(4)) : now;
        return Confirmations.of(sop, ids(f.get(1)), ids(f.get(2)), by, at, source);
    }

    static List<String> ids(String field) {
        if (field.isBlank()) return List.of();
        return Arrays.stream(field.split("[|;]")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Instant instant(String v) {
        try {
            if (v.chars().allMatch(Character::isDigit)) return Instant.ofEpochMilli(Long.parseLong(v));
            return Instant.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("confirmedAt '" + v + "' is not an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch milliseconds");
        }
    }

    private static int firstNonBlank(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) if (!lines.get(i).isBlank()) return i;
        return -1;
    }
}
