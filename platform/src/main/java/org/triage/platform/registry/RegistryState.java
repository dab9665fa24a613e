package org.triage.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state, a pure function of the records of the schema log applied in order.
 *
 * <p>Records use Confluent's key/value JSON layout ({@code keytype} SCHEMA keyed by subject+version, CONFIG
 * keyed by subject or null for the global level), so compaction keeps the latest record per version or per
 * config. The log has a single writer ({@link SchemaLog#write}), so conflicting records are not written any
 * more; topics written by older versions may hold some (two instances that raced for the same id or the
 * same version), and those are resolved the same way everywhere: the first one in the log wins.
 */
final class RegistryState {
    private static final Logger log = LoggerFactory.getLogger(RegistryState.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** One registered schema text; ids are global, shared by every subject that registers the same text. */
    record StoredSchema(int id, String canonical, Schema schema) {
    }

    /** One version of a subject. */
    record Version(String subject, int version, int id, boolean deleted) {
    }

    private final Map<Integer, StoredSchema> byId = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<Integer, Integer> references = new HashMap<>();
    private final Map<String, NavigableMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    // ---- records ----

    static byte[] schemaKey(String subject, int version) {
        ObjectNode k = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
        return bytes(k);
    }

    static byte[] schemaValue(String subject, int version, int id, String schema, boolean deleted) {
        ObjectNode v = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schema).put("deleted", deleted);
        return bytes(v);
    }

    static byte[] configKey(String subjectOrNull) {
        ObjectNode k = JSON.createObjectNode().put("keytype", "CONFIG");
        if (subjectOrNull == null) {
            k.putNull("subject");
        } else {
            k.put("subject", subjectOrNull);
        }
        return bytes(k.put("magic", 0));
    }

    /**
     * The highest id ever handed out. Written with every permanent delete: compaction may then remove the
     * only records that carried the highest ids, and without this record a replay would hand them out again
     * for other schemas. Not one of Confluent's key types: this registry is the reader the topic is made for.
     */
    static byte[] idWatermarkKey() {
        return bytes(JSON.createObjectNode().put("keytype", "ID_WATERMARK").put("magic", 0));
    }

    static byte[] idWatermarkValue(int maxId) {
        return bytes(JSON.createObjectNode().put("maxId", maxId));
    }

    static byte[] configValue(CompatibilityLevel level) {
        return bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void apply(byte[] keyBytes, byte[] valueBytes) {
        if (keyBytes == null) {
            return;
        }
        JsonNode key;
        JsonNode value;
        try {
            key = JSON.readTree(keyBytes);
            value = valueBytes == null ? null : JSON.readTree(valueBytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        String type = key.path("keytype").asText("");
        switch (type) {
            case "SCHEMA" -> applySchema(key, value);
            case "CONFIG" -> applyConfig(key, value);
            case "DELETE_SUBJECT" -> applyDeleteSubject(value);
            case "ID_WATERMARK" -> maxId = Math.max(maxId, value == null ? 0 : value.path("maxId").asInt(0));
            default -> log.debug("ignoring schema log record of type {}", type);
        }
    }

    private void applySchema(JsonNode key, JsonNode value) {
        String subject = key.path("subject").asText();
        int version = key.path("version").asInt();
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        Version existing = versions == null ? null : versions.get(version);
        if (value == null) {
            if (existing != null) {
                versions.remove(version);
                if (versions.isEmpty()) {
                    subjects.remove(subject);
                }
                release(existing.id());
            }
            return;
        }
        int id = value.path("id").asInt();
        String text = value.path("schema").asText();
        boolean deleted = value.path("deleted").asBoolean(false);
        if (existing != null && existing.id() != id) {
            log.warn("ignoring {} version {}: the version already holds id {} (concurrent registration)", subject, version, existing.id());
            return;
        }
        StoredSchema known = byId.get(id);
        if (known == null) {
            Schema schema = new Schema.Parser().parse(text);
            String canonical = schema.toString();
            known = new StoredSchema(id, canonical, schema);
            byId.put(id, known);
            idByCanonical.putIfAbsent(canonical, id);
            maxId = Math.max(maxId, id);
        } else if (!known.canonical().equals(new Schema.Parser().parse(text).toString())) {
            log.warn("ignoring {} version {}: id {} already names another schema (concurrent registration)", subject, version, id);
            return;
        }
        if (existing == null) {
            references.merge(id, 1, Integer::sum);
        }
        subjects.computeIfAbsent(subject, s -> new TreeMap<>()).put(version, new Version(subject, version, id, deleted));
    }

    private void release(int id) {
        int left = references.merge(id, -1, Integer::sum);
        if (left <= 0) {
            references.remove(id);
            StoredSchema gone = byId.remove(id);
            if (gone != null) {
                idByCanonical.remove(gone.canonical(), id);
            }
        }
    }

    private void applyConfig(JsonNode key, JsonNode value) {
        JsonNode s = key.get("subject");
        String subject = s == null || s.isNull() ? null : s.asText();
        CompatibilityLevel level = value == null ? null : CompatibilityLevel.parse(value.path("compatibilityLevel").asText());
        if (subject == null) {
            globalLevel = level == null ? CompatibilityLevel.BACKWARD : level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    /** Confluent writes this record for a soft delete of a whole subject (up to the version it names). */
    private void applyDeleteSubject(JsonNode value) {
        if (value == null) {
            return;
        }
        NavigableMap<Integer, Version> versions = subjects.get(value.path("subject").asText());
        if (versions != null) {
            int upTo = value.path("version").asInt(Integer.MAX_VALUE);
            versions.headMap(upTo, true).replaceAll((v, old) -> new Version(old.subject(), v, old.id(), true));
        }
    }

    // ---- queries ----

    synchronized StoredSchema schema(int id) {
        return byId.get(id);
    }

    synchronized Integer idOf(String canonical) {
        return idByCanonical.get(canonical);
    }

    synchronized int maxId() {
        return maxId;
    }

    /** Versions of a subject in ascending order, soft-deleted ones included when asked. */
    synchronized List<Version> versions(String subject, boolean includeDeleted) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        List<Version> out = new ArrayList<>();
        if (versions != null) {
            for (Version v : versions.values()) {
                if (includeDeleted || !v.deleted()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    synchronized Version version(String subject, int version) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? null : versions.get(version);
    }

    /** The highest version number the subject ever used (soft-deleted included): numbering never goes back. */
    synchronized int maxVersion(String subject) {
        NavigableMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> out = new ArrayList<>();
        for (var e : subjects.entrySet()) {
            if (includeDeleted || e.getValue().values().stream().anyMatch(v -> !v.deleted())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    synchronized List<Version> usesOf(int id) {
        List<Version> out = new ArrayList<>();
        for (NavigableMap<Integer, Version> versions : subjects.values()) {
            for (Version v : versions.values()) {
                if (v.id() == id && !v.deleted()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized CompatibilityLevel subjectLevel(String subject) {
        return subjectLevels.get(subject);
    }

    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
