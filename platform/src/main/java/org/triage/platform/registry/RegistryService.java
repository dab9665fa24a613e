package org.triage.platform.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.triage.platform.registry.RegistryState.StoredSchema;
import org.triage.platform.registry.SchemaLog.Entry;
import org.triage.platform.registry.SchemaLog.Write;
import org.triage.platform.registry.RegistryState.Version;

/**
 * The registry's operations, independent of HTTP. Writes are serialised in this instance and go through
 * {@link SchemaLog#write}: each is decided on the state caught up with every committed record (whoever wrote
 * it), and is appended only if no other writer got in between. The log, not this object, is the source of truth.
 */
final class RegistryService {
    private final RegistryState state = new RegistryState();
    private final SchemaLog log;
    private final Object writeLock = new Object();

    RegistryService(SchemaLog log) {
        this.log = log;
    }

    void start() {
        log.start(state::apply);
    }

    /** A parsed candidate schema; the canonical text is what identity ("same schema") is decided on. */
    record Candidate(Schema schema, String canonical) {
    }

    static Candidate parse(String text) {
        if (text == null || text.isBlank()) {
            throw RegistryException.invalidSchema("Invalid schema: the request has no \"schema\" string");
        }
        try {
            Schema schema = new Schema.Parser().parse(text);
            return new Candidate(schema, schema.toString());
        } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
            throw RegistryException.invalidSchema("Invalid schema: " + e.getMessage());
        } catch (RuntimeException e) {
            throw RegistryException.invalidSchema("Invalid schema: " + e);
        }
    }

    // ---- writes ----

    int register(String subject, Candidate candidate) {
        synchronized (writeLock) {
            return log.write(() -> {
                List<Version> live = state.versions(subject, false);
                for (Version v : live) {
                    StoredSchema s = state.schema(v.id());
                    if (s != null && s.canonical().equals(candidate.canonical())) {
                        return Write.none(v.id());
                    }
                }
                CompatibilityLevel level = state.effectiveLevel(subject);
                List<String> problems = level.check(candidate.schema(), schemas(live));
                if (!problems.isEmpty()) {
                    throw new RegistryException(409, RegistryException.INCOMPATIBLE_SCHEMA,
                            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                    + "\", details: " + problems);
                }
                // The log has a single writer and we decide on all of it, so max + 1 is free everywhere.
                Integer known = state.idOf(candidate.canonical());
                int id = known != null ? known : state.maxId() + 1;
                int version = state.maxVersion(subject) + 1;
                return Write.of(id, new Entry(RegistryState.schemaKey(subject, version),
                        RegistryState.schemaValue(subject, version, id, candidate.canonical(), false)));
            });
        }
    }

    List<Integer> deleteSubject(String subject, boolean permanent) {
        synchronized (writeLock) {
            return log.write(() -> {
                List<Version> all = state.versions(subject, true);
                if (all.isEmpty()) {
                    throw RegistryException.subjectNotFound(subject);
                }
                List<Integer> out = new ArrayList<>();
                List<Entry> records = new ArrayList<>();
                if (permanent) {
                    if (all.stream().anyMatch(v -> !v.deleted())) {
                        throw new RegistryException(404, RegistryException.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                                + "' was not deleted first before being permanently deleted");
                    }
                    for (Version v : all) {
                        records.add(new Entry(RegistryState.schemaKey(subject, v.version()), null));
                        out.add(v.version());
                    }
                    records.add(idWatermark());
                } else {
                    List<Version> live = state.versions(subject, false);
                    if (live.isEmpty()) {
                        throw new RegistryException(404, RegistryException.SUBJECT_SOFT_DELETED, "Subject '" + subject
                                + "' was soft deleted. Set permanent=true to delete permanently");
                    }
                    for (Version v : live) {
                        records.add(new Entry(RegistryState.schemaKey(subject, v.version()),
                                RegistryState.schemaValue(subject, v.version(), v.id(), state.schema(v.id()).canonical(), true)));
                        out.add(v.version());
                    }
                }
                return new Write<>(records, out);
            });
        }
    }

    int deleteVersion(String subject, String versionSpec, boolean permanent) {
        synchronized (writeLock) {
            return log.write(() -> {
                Version v = resolve(subject, versionSpec, true);
                if (permanent) {
                    if (!v.deleted()) {
                        throw new RegistryException(404, RegistryException.VERSION_NOT_SOFT_DELETED, "Subject '" + subject
                                + "' Version " + v.version() + " was not deleted first before being permanently deleted");
                    }
                    return Write.of(v.version(), new Entry(RegistryState.schemaKey(subject, v.version()), null), idWatermark());
                }
                if (v.deleted()) {
                    throw new RegistryException(404, RegistryException.VERSION_SOFT_DELETED, "Subject '" + subject
                            + "' Version " + v.version() + " was soft deleted. Set permanent=true to delete permanently");
                }
                return Write.of(v.version(), new Entry(RegistryState.schemaKey(subject, v.version()),
                        RegistryState.schemaValue(subject, v.version(), v.id(), state.schema(v.id()).canonical(), true)));
            });
        }
    }

    /** Goes with every tombstone, so that ids stay unique after compaction removed what carried them. */
    private Entry idWatermark() {
        return new Entry(RegistryState.idWatermarkKey(), RegistryState.idWatermarkValue(state.maxId()));
    }

    void setLevel(String subjectOrNull, CompatibilityLevel level) {
        synchronized (writeLock) {
            log.write(() -> Write.of(level, new Entry(RegistryState.configKey(subjectOrNull), RegistryState.configValue(level))));
        }
    }

    /** Back to the default level (BACKWARD); returns the level that was set. */
    CompatibilityLevel resetGlobalLevel() {
        synchronized (writeLock) {
            return log.write(() -> Write.of(state.globalLevel(), new Entry(RegistryState.configKey(null), null)));
        }
    }

    CompatibilityLevel deleteSubjectLevel(String subject) {
        synchronized (writeLock) {
            return log.write(() -> {
                CompatibilityLevel old = state.subjectLevel(subject);
                if (old == null) {
                    throw RegistryException.subjectNotFound(subject);
                }
                return Write.of(old, new Entry(RegistryState.configKey(subject), null));
            });
        }
    }

    // ---- reads ----

    /**
     * Reads answer from local state; when the answer would be "not found" we first catch up with the log,
     * so that an id or subject just written through another instance is found here too.
     */
    StoredSchema schemaById(int id) {
        StoredSchema s = state.schema(id);
        if (s == null) {
            log.catchUp();
            s = state.schema(id);
        }
        if (s == null) {
            throw RegistryException.schemaNotFound("Schema " + id + " not found");
        }
        return s;
    }

    List<Version> usesOf(int id) {
        schemaById(id);
        return state.usesOf(id);
    }

    List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    List<Integer> versions(String subject, boolean includeDeleted) {
        List<Version> vs = existingVersions(subject, includeDeleted);
        return vs.stream().map(Version::version).toList();
    }

    private List<Version> existingVersions(String subject, boolean includeDeleted) {
        List<Version> vs = state.versions(subject, includeDeleted);
        if (vs.isEmpty()) {
            log.catchUp();
            vs = state.versions(subject, includeDeleted);
        }
        if (vs.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return vs;
    }

    /** A subject's version by number, {@code latest} or {@code -1}. */
    Version resolve(String subject, String versionSpec, boolean includeDeleted) {
        int wanted = parseVersion(versionSpec);
        List<Version> vs = existingVersions(subject, includeDeleted);
        if (wanted == -1) {
            return vs.get(vs.size() - 1);
        }
        for (Version v : vs) {
            if (v.version() == wanted) {
                return v;
            }
        }
        throw RegistryException.versionNotFound(subject, wanted);
    }

    static int parseVersion(String spec) {
        if ("latest".equalsIgnoreCase(spec)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(spec);
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw RegistryException.invalidVersion(spec);
    }

    Version lookup(String subject, Candidate candidate, boolean includeDeleted) {
        List<Version> vs = existingVersions(subject, includeDeleted);
        for (int i = vs.size() - 1; i >= 0; i--) {
            StoredSchema s = state.schema(vs.get(i).id());
            if (s != null && s.canonical().equals(candidate.canonical())) {
                return vs.get(i);
            }
        }
        throw RegistryException.schemaNotFound("Schema not found");
    }

    /** Compatibility of a candidate against one version ({@code versionSpec}) or, when null, per the level. */
    List<String> testCompatibility(String subject, String versionSpec, Candidate candidate) {
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<Version> live = state.versions(subject, false);
        if (versionSpec == null) {
            return level.check(candidate.schema(), schemas(live));
        }
        if (live.isEmpty()) {
            log.catchUp();
            live = state.versions(subject, false);
        }
        if (live.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        Version target = resolve(subject, versionSpec, false);
        List<Schema> against = "latest".equalsIgnoreCase(versionSpec) || "-1".equals(versionSpec)
                ? schemas(live) : List.of(state.schema(target.id()).schema());
        return level.check(candidate.schema(), against);
    }

    CompatibilityLevel globalLevel() {
        return state.globalLevel();
    }

    CompatibilityLevel subjectLevel(String subject) {
        return state.subjectLevel(subject);
    }

    private List<Schema> schemas(List<Version> versions) {
        List<Schema> out = new ArrayList<>(versions.size());
        for (Version v : versions) {
            StoredSchema s = state.schema(v.id());
            if (s != null) {
                out.add(s.schema());
            }
        }
        return out;
    }

    SchemaLog schemaLog() {
        return log;
    }

    void close() {
        log.close();
    }
}
