package org.triage.schemas.evolution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.triage.schemas.CompatibilityReport;

/** Loads a folder of .avsc files (one contract version) and compares versions. */
final class ContractSchemas {
    private ContractSchemas() {
    }

    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "."));
    }

    /** Relative path -> file text of every .avsc under {@code dir}. */
    static Map<String, String> read(Path dir) {
        Map<String, String> texts = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".avsc"))::iterator) {
                texts.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (texts.isEmpty()) {
            throw new IllegalStateException("no .avsc files under " + dir.toAbsolutePath());
        }
        return texts;
    }

    /**
     * Parses files that reference each other's named types, in an order found by trial (the
     * files declare no imports), and returns full name -> schema of each file's top-level type.
     */
    static Map<String, Schema> parse(Map<String, String> texts) {
        List<String> ordered = new ArrayList<>();
        List<String> remaining = new ArrayList<>(texts.keySet());
        while (!remaining.isEmpty()) {
            RuntimeException last = null;
            boolean progress = false;
            for (String file : List.copyOf(remaining)) {
                Schema.Parser parser = new Schema.Parser();
                ordered.forEach(o -> parser.parse(texts.get(o)));
                try {
                    parser.parse(texts.get(file));
                    ordered.add(file);
                    remaining.remove(file);
                    progress = true;
                } catch (AvroRuntimeException e) {
                    // Avro 1.12 reports a not-yet-defined name as AvroTypeException, older ones as SchemaParseException.
                    last = new SchemaParseException(file + ": " + e.getMessage());
                }
            }
            if (!progress) {
                throw last;
            }
        }
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new LinkedHashMap<>();
        for (String file : ordered) {
            Schema s = parser.parse(texts.get(file));
            byName.put(s.getFullName(), s);
        }
        return byName;
    }

    /**
     * Why data written with {@code released} could not be read with {@code current} (BACKWARD:
     * the new schema is the reader). Empty when every released type is still readable.
     */
    static List<String> backwardViolations(Map<String, Schema> released, Map<String, Schema> current) {
        List<String> violations = new ArrayList<>();
        released.forEach((name, writer) -> {
            Schema reader = current.get(name);
            if (reader == null) {
                violations.add(name + " was removed or renamed: records already written with it could no longer be read");
                return;
            }
            CompatibilityReport.problems(reader, writer).forEach(p -> violations.add(name + ": " + p));
        });
        return violations;
    }

    /** Named types and fields of {@code schema} without a doc, as paths. */
    static List<String> undocumented(Schema schema) {
        List<String> missing = new ArrayList<>();
        walk(schema, schema.getFullName(), missing, new ArrayList<>());
        return missing;
    }

    private static void walk(Schema s, String path, List<String> missing, List<String> seen) {
        switch (s.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (seen.contains(s.getFullName())) {
                    return;
                }
                seen.add(s.getFullName());
                if (blank(s.getDoc())) {
                    missing.add(path + " (type " + s.getFullName() + ")");
                }
                if (s.getType() == Schema.Type.RECORD) {
                    for (Schema.Field f : s.getFields()) {
                        if (blank(f.doc())) {
                            missing.add(path + "." + f.name());
                        }
                        walk(f.schema(), path + "." + f.name(), missing, seen);
                    }
                }
            }
            case ARRAY -> walk(s.getElementType(), path + "[]", missing, seen);
            case MAP -> walk(s.getValueType(), path + "{}", missing, seen);
            case UNION -> s.getTypes().forEach(t -> walk(t, path, missing, seen));
            default -> {
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
