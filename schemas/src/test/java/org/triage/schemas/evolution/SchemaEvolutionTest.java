package org.triage.schemas.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.triage.events.RadiographEvent;

/**
 * Governance of the event contract: the current schemas (src/main/avro) must read everything
 * written with every released version (src/test/resources/schemas/released/vN), because the
 * radiographs topic is kept for retraining and a consumer on today's contract replays all of it.
 */
class SchemaEvolutionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CURRENT = ContractSchemas.moduleDir().resolve("src/main/avro");
    private static final Path RELEASED = ContractSchemas.moduleDir().resolve("src/test/resources/schemas/released");

    private static List<Path> releasedVersions() throws IOException {
        try (Stream<Path> dirs = Files.list(RELEASED)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyCurrentSchemaIsBackwardCompatibleWithEveryReleasedVersion() throws IOException {
        Map<String, Schema> current = ContractSchemas.parse(ContractSchemas.read(CURRENT));
        List<Path> versions = releasedVersions();
        assertFalse(versions.isEmpty(), "no released versions under " + RELEASED.toAbsolutePath());
        for (Path version : versions) {
            Map<String, Schema> released = ContractSchemas.parse(ContractSchemas.read(version));
            List<String> violations = ContractSchemas.backwardViolations(released, current);
            assertTrue(violations.isEmpty(), "src/main/avro breaks BACKWARD compatibility with released " + version.getFileName()
                    + " (add a default to new fields, never remove or retype one; see schemas/README.md):\n  "
                    + String.join("\n  ", violations));
        }
    }

    @Test
    void theReleasedFolderCoversEveryEventAndTheGeneratedClassesMatchTheAvscFiles() throws IOException {
        Map<String, Schema> current = ContractSchemas.parse(ContractSchemas.read(CURRENT));
        Map<String, Schema> latest = ContractSchemas.parse(ContractSchemas.read(releasedVersions().get(releasedVersions().size() - 1)));
        for (String event : List.of("RadiographEvent", "LabelPrototype", "Finding", "Alert", "AlertAction", "ConfirmedLabels",
                "ModelRelease", "ImageEmbedding")) {
            assertTrue(latest.containsKey("org.triage.events." + event), event + " missing from the newest released version");
        }
        // Parsing form: the generated class adds avro.java.string properties and drops nothing else that matters.
        assertEquals(SchemaNormalization.toParsingForm(current.get("org.triage.events.RadiographEvent")),
                SchemaNormalization.toParsingForm(RadiographEvent.getClassSchema()), "generated classes are stale: rebuild the schemas module");
    }

    @Test
    void everyTypeAndFieldIsDocumented() {
        Map<String, Schema> current = ContractSchemas.parse(ContractSchemas.read(CURRENT));
        List<String> missing = current.values().stream().flatMap(s -> ContractSchemas.undocumented(s).stream()).distinct().toList();
        assertTrue(missing.isEmpty(), "undocumented in src/main/avro: " + missing);
    }

    // --- the gate itself catches what it should ---

    private static List<String> violationsAfter(String file, Consumer<ObjectNode> edit) throws IOException {
        Map<String, String> texts = ContractSchemas.read(CURRENT);
        Map<String, Schema> before = ContractSchemas.parse(texts);
        ObjectNode root = (ObjectNode) JSON.readTree(texts.get(file));
        edit.accept(root);
        Map<String, String> edited = new HashMap<>(texts);
        edited.put(file, JSON.writeValueAsString(root));
        return ContractSchemas.backwardViolations(before, ContractSchemas.parse(edited));
    }

    private static ObjectNode field(String name, String type) {
        return JSON.createObjectNode().put("name", name).put("type", type).put("doc", "test field");
    }

    @Test
    void aNewFieldWithoutDefaultIsCaught() throws IOException {
        List<String> v = violationsAfter("RadiographEvent.avsc", r -> ((ArrayNode) r.get("fields")).add(field("site", "string")));
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("org.triage.events.RadiographEvent") && v.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                && v.get(0).contains("site"), v.get(0));
    }

    @Test
    void aNewFieldWithDefaultPasses() throws IOException {
        assertEquals(List.of(), violationsAfter("RadiographEvent.avsc",
                r -> ((ArrayNode) r.get("fields")).add(field("site", "string").put("default", "unknown"))));
    }

    @Test
    void retypingAFieldIsCaught() throws IOException {
        List<String> v = violationsAfter("ImageEmbedding.avsc", r -> {
            for (var f : r.get("fields")) {
                if (f.get("name").asText().equals("sopInstanceUid")) {
                    ((ObjectNode) f).put("type", "int");
                }
            }
        });
        assertEquals(List.of("org.triage.events.ImageEmbedding: TYPE_MISMATCH at ImageEmbedding.sopInstanceUid"
                + " (reader type: INT not compatible with writer type: STRING)"), v);
    }

    @Test
    void droppingAnEnumSymbolIsCaught() throws IOException {
        List<String> v = violationsAfter("common/Severity.avsc", r -> ((ArrayNode) r.get("symbols")).remove(0));
        assertTrue(v.stream().anyMatch(s -> s.contains("MISSING_ENUM_SYMBOLS") && s.contains("INFO")), v.toString());
    }

    @Test
    void renamingAnEventIsCaught() throws IOException {
        List<String> v = violationsAfter("AlertAction.avsc", r -> r.put("name", "AlertActivity"));
        assertTrue(v.stream().anyMatch(s -> s.startsWith("org.triage.events.AlertAction was removed")), v.toString());
    }
}
