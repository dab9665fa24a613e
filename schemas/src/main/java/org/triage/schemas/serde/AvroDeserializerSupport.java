package org.triage.schemas.serde;

import java.util.List;
import org.apache.avro.Schema;
import org.triage.schemas.CompatibilityReport;

/** Reader/writer compatibility checks with messages a person can act on. */
final class AvroDeserializerSupport {
    private AvroDeserializerSupport() {
    }

    /** Throws a {@link SchemaMismatchException} unless data written with {@code writer} can be read as {@code reader}. */
    static void requireReadable(Schema reader, Schema writer, int writerId) {
        if (reader == writer) {
            return;
        }
        List<String> problems = CompatibilityReport.problems(reader, writer);
        if (!problems.isEmpty()) {
            throw new SchemaMismatchException("it was written with schema id " + writerId + " (" + writer.getFullName()
                    + ") which cannot be read as " + reader.getFullName() + ": " + String.join("; ", problems));
        }
    }
}
