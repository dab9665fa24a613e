package org.triage.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Human-readable result of Avro's reader/writer compatibility check. Avro locates a problem by
 * JSON pointer ({@code /fields/13/type/fields/4/type}); people need the field path
 * ({@code RadiographEvent.image.data}), so that is what these messages carry.
 */
public final class CompatibilityReport {
    private CompatibilityReport() {
    }

    /** One line per incompatibility of data written with {@code writer} read as {@code reader}; empty when compatible. */
    public static List<String> problems(Schema reader, Schema writer) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        List<String> lines = new ArrayList<>();
        for (Incompatibility i : result.getIncompatibilities()) {
            lines.add(i.getType() + " at " + fieldPath(reader, i.getLocation()) + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"));
        }
        return lines;
    }

    /** Translates a JSON pointer into {@code schema} into a dotted field path; falls back to the pointer. */
    public static String fieldPath(Schema schema, String pointer) {
        if (pointer == null || pointer.isEmpty() || pointer.equals("/")) {
            return schema.getName();
        }
        StringBuilder path = new StringBuilder(schema.getName());
        Schema current = schema;
        String[] parts = pointer.substring(1).split("/");
        try {
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                switch (part) {
                    case "fields" -> {
                        Schema.Field f = current.getFields().get(Integer.parseInt(parts[++i]));
                        path.append('.').append(f.name());
                        current = f.schema();
                        if (i + 1 < parts.length && parts[i + 1].equals("type")) {
                            i++;
                        }
                    }
                    case "items" -> {
                        path.append("[]");
                        current = current.getElementType();
                    }
                    case "values" -> {
                        path.append("{}");
                        current = current.getValueType();
                    }
                    case "symbols", "name", "size" -> path.append(" (").append(part).append(')');
                    default -> {
                        if (current.getType() == Schema.Type.UNION && part.matches("\\d+")) {
                            current = current.getTypes().get(Integer.parseInt(part));
                        } else {
                            return path + " " + pointer;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            return pointer;
        }
        return path.toString();
    }
}
