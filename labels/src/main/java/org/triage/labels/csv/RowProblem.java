package org.triage.labels.csv;

/** What is wrong with one line of an import file, worded as what to fix. */
public record RowProblem(int line, String message) implements Comparable<RowProblem> {
    @Override
    public int compareTo(RowProblem o) {
        return Integer.compare(line, o.line);
    }

    @Override
    public String toString() {
        return "line " + line + ": " + message;
    }
}
