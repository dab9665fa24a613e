package org.triage.platform.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, decided by Avro's own reader/writer checker so that "compatible" means
 * exactly what Avro resolution will accept at read time.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    public boolean transitive() {
        return transitive;
    }

    public static CompatibilityLevel parse(String text) {
        if (text != null) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // fall through to the Confluent error
            }
        }
        throw new RegistryException(422, RegistryException.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, "
                        + "forward_transitive, and full_transitive");
    }

    /**
     * Checks {@code candidate} against the previous versions, oldest first; non-transitive levels look at the
     * latest one only. Returns the incompatibilities found (empty = compatible).
     */
    public List<String> check(Schema candidate, List<Schema> previousOldestFirst) {
        List<String> problems = new ArrayList<>();
        if (this == NONE || previousOldestFirst.isEmpty()) {
            return problems;
        }
        List<Schema> against = transitive ? previousOldestFirst
                : List.of(previousOldestFirst.get(previousOldestFirst.size() - 1));
        for (Schema old : against) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "new", "old", problems);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "old", "new", problems);
            }
        }
        return problems;
    }

    /** Confluent-style detail lines, e.g. "The field 'b' at path '/fields/1' in the new schema has no default value...". */
    private static void describe(SchemaPairCompatibility result, String reader, String writer, List<String> problems) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            String what = switch (i.getType()) {
                case READER_FIELD_MISSING_DEFAULT_VALUE -> "The field '" + i.getMessage() + "' at path '" + i.getLocation() + "' in the "
                        + reader + " schema has no default value and is missing in the " + writer + " schema";
                case MISSING_ENUM_SYMBOLS -> "The " + reader + " schema is missing enum symbols '" + i.getMessage() + "' at path '"
                        + i.getLocation() + "' in the " + writer + " schema";
                default -> i.getMessage() + " at path '" + i.getLocation() + "' (" + reader + " schema reading data of the "
                        + writer + " schema)";
            };
            problems.add("{errorType:'" + i.getType() + "', description:'" + what + "'}");
        }
    }
}
