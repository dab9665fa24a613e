package org.triage.labels.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields: commas separate, double quotes may enclose a field (a doubled
 * quote inside is a quote). Label lists inside a field use {@code |} or {@code ;}, so quoting is
 * rarely needed; it is accepted because spreadsheets add it.
 */
final class CsvLine {
    private CsvLine() {
    }

    /** @throws IllegalArgumentException for an unterminated quote */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) throw new IllegalArgumentException("a quoted field is not closed (add the closing \")");
        out.add(cur.toString().strip());
        return out;
    }
}
