package org.triage.schemas.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;

/**
 * What model-releases says, read as a compacted topic: the newest value of each key, then the
 * current state of each release (name and version). Every reader of the topic decides "which
 * release is in service" here, so that the stream, the prototype commands and {@code triage models}
 * can never disagree.
 *
 * <p>Two key styles live on the topic: {@code name:version} (one key per release, so history
 * survives compaction) and, from before the lifecycle, the bare name (the newest release of that
 * name). When both hold the same release, the state that changed last wins, and on a tie the
 * {@code name:version} record, because only the lifecycle writes those.
 */
public final class ReleaseHistory {
    private final Map<String, ModelRelease> byKey = new HashMap<>();

    /** The key a release is published under. */
    public static String key(ModelRelease r) {
        return key(r.getName(), r.getVersion());
    }

    public static String key(String name, String version) {
        return name + ":" + version;
    }

    /** When the release's status last changed: statusChangedAt, or createdAt for records that never changed. */
    public static Instant effectiveTime(ModelRelease r) {
        return r.getStatusChangedAt() != null ? r.getStatusChangedAt() : r.getCreatedAt();
    }

    /** Applies one record in log order; a null value (tombstone) forgets the key. */
    public void accept(String key, ModelRelease value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            byKey.remove(key);
        } else {
            byKey.put(key, value);
        }
    }

    /** The current state of every release, newest status change first. */
    public List<ModelRelease> releases() {
        Map<String, ModelRelease> current = new LinkedHashMap<>();
        Map<String, Boolean> fromVersionKey = new HashMap<>();
        for (Map.Entry<String, ModelRelease> e : byKey.entrySet()) {
            ModelRelease r = e.getValue();
            String id = key(r);
            boolean versionKeyed = id.equals(e.getKey());
            ModelRelease held = current.get(id);
            if (held == null || newer(r, versionKeyed, held, fromVersionKey.get(id))) {
                current.put(id, r);
                fromVersionKey.put(id, versionKeyed);
            }
        }
        List<ModelRelease> out = new ArrayList<>(current.values());
        out.sort(Comparator.comparing(ReleaseHistory::effectiveTime).reversed().thenComparing(r -> key(r)));
        return out;
    }

    private static boolean newer(ModelRelease r, boolean versionKeyed, ModelRelease held, boolean heldVersionKeyed) {
        int c = effectiveTime(r).compareTo(effectiveTime(held));
        return c > 0 || (c == 0 && versionKeyed && !heldVersionKeyed);
    }

    /** The current state of the releases of one name (all names when null), newest status change first. */
    public List<ModelRelease> releases(String name) {
        return releases().stream().filter(r -> name == null || name.equals(r.getName())).toList();
    }

    /** One release's current state. */
    public Optional<ModelRelease> release(String name, String version) {
        return releases().stream().filter(r -> r.getName().equals(name) && r.getVersion().equals(version)).findFirst();
    }

    /**
     * The release in service: the PROMOTED one (of this name; of any name when null) whose status
     * changed last. A promotion writes the new champion before retiring the old one, so for a
     * moment both are PROMOTED and this picks the new one.
     */
    public Optional<ModelRelease> promoted(String name) {
        return releases(name).stream().filter(r -> r.getStatus() == ReleaseStatus.PROMOTED).findFirst();
    }

    /** Distinct model names, sorted. */
    public List<String> names() {
        return releases().stream().map(ModelRelease::getName).filter(Objects::nonNull).distinct().sorted().toList();
    }
}
