package org.triage.stream.study;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Finding;
import org.triage.events.StudyResult;
import org.triage.stream.metrics.StreamMetrics;

/**
 * Groups a study's findings and emits its {@link StudyResult} once the study has been quiet (no new film) for the
 * quiet time; a film arriving after that, within the late window, re-opens the study and a new version follows after
 * the next quiet time. State lives in three changelogged stores, so a crash or a move to another instance resumes
 * with the same groups and the same due times (under exactly-once, a result and the store change that marks it sent
 * commit together):
 * <ul>
 *   <li>films: {@code <group key> NUL <SOP UID>} to the film's Finding (the latest for that film and model)</li>
 *   <li>groups: {@code <group key>} to its {@link StudyGroup}</li>
 *   <li>due: {@code <due time, 19 digits> NUL <group key>}, so the punctuator reads only what is due, in time order</li>
 * </ul>
 */
public final class StudyGrouperProcessor implements Processor<String, Finding, String, StudyResult> {
    private static final Logger LOG = LoggerFactory.getLogger(StudyGrouperProcessor.class);
    private static final char SEP = '\u0000';

    private final StudySettings settings;
    private final StreamMetrics metrics;
    private final String filmsStoreName;
    private final String groupsStoreName;
    private final String dueStoreName;
    private ProcessorContext<String, StudyResult> context;
    private KeyValueStore<String, Finding> films;
    private KeyValueStore<String, byte[]> groups;
    private KeyValueStore<String, byte[]> due;

    public StudyGrouperProcessor(StudySettings settings, StreamMetrics metrics, String filmsStoreName, String groupsStoreName,
                                 String dueStoreName) {
        this.settings = settings;
        this.metrics = metrics;
        this.filmsStoreName = filmsStoreName;
        this.groupsStoreName = groupsStoreName;
        this.dueStoreName = dueStoreName;
    }

    @Override
    public void init(ProcessorContext<String, StudyResult> context) {
        this.context = context;
        this.films = context.getStateStore(filmsStoreName);
        this.groups = context.getStateStore(groupsStoreName);
        this.due = context.getStateStore(dueStoreName);
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::emitDue);
    }

    @Override
    public void process(Record<String, Finding> record) {
        Finding f = record.value();
        String key = record.key();
        if (f == null || key == null) {
            return;
        }
        byte[] raw = groups.get(key);
        StudyGroup group = raw == null ? null : StudyGroup.decode(raw);
        String filmKey = key + SEP + f.getSopInstanceUid();
        Finding known = films.get(filmKey);
        if (known != null && group != null && group.emitted() && known.getFindingId().equals(f.getFindingId())) {
            // The same film scored by the same model again (a replay): the result already sent says it all.
            metrics.studyFilm("duplicate");
            return;
        }
        if (known == null && group != null && group.films() >= settings.maxFilms()) {
            metrics.studyFilm("over-cap");
            LOG.warn("study group {} already holds {} films; film {} left out of the study result", key, group.films(),
                    f.getSopInstanceUid());
            return;
        }
        films.put(filmKey, f);
        long now = context.currentSystemTimeMs();
        long dueAt = now + settings.quietTime().toMillis();
        int version = group == null ? 1 : group.emitted() ? group.version() + 1 : group.version();
        int count = (group == null ? 0 : group.films()) + (known == null ? 1 : 0);
        if (group != null) {
            due.delete(dueKey(group.dueAtMs(), key));
        }
        due.put(dueKey(dueAt, key), new byte[0]);
        groups.put(key, new StudyGroup(version, false, now, dueAt, count).encode());
        metrics.studyFilm(group != null && group.emitted() ? "late" : "grouped");
    }

    /** Emits every study whose quiet time is over and forgets those whose late window closed. */
    private void emitDue(long now) {
        List<String> dueKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = due.range(dueKey(0, ""), dueKey(now, "\uffff"))) {
            while (it.hasNext()) {
                dueKeys.add(it.next().key);
            }
        }
        for (String dk : dueKeys) {
            due.delete(dk);
            int sep = dk.indexOf(SEP);
            long at = Long.parseLong(dk.substring(0, sep));
            String key = dk.substring(sep + 1);
            byte[] raw = groups.get(key);
            if (raw == null) {
                continue;
            }
            StudyGroup group = StudyGroup.decode(raw);
            if (group.dueAtMs() != at) {
                continue; // superseded by a later film
            }
            if (!group.emitted()) {
                emit(key, group, now);
            } else {
                forget(key);
            }
        }
    }

    private void emit(String key, StudyGroup group, long now) {
        List<Finding> members = new ArrayList<>();
        for (KeyValue<String, Finding> kv : filmsOf(key)) {
            if (kv.value != null) {
                members.add(kv.value);
            }
        }
        if (members.isEmpty()) {
            groups.delete(key);
            return;
        }
        members.sort(Comparator.comparing(Finding::getReceivedAt).thenComparing(Finding::getSopInstanceUid));
        StudyResult result = StudyAggregator.aggregate(members, group.version(), Instant.ofEpochMilli(group.lastFilmAtMs()),
                Instant.ofEpochMilli(now), settings.quietTime().toMillis());
        context.forward(new Record<>(key, result, now));
        long expireAt = now + settings.lateWindow().toMillis();
        groups.put(key, new StudyGroup(group.version(), true, group.lastFilmAtMs(), expireAt, group.films()).encode());
        due.put(dueKey(expireAt, key), new byte[0]);
        metrics.studyResult(group.version() == 1 ? "first" : "update");
        LOG.info("study result {} version {}: {} film(s), {} label(s) above threshold", result.getStudyResultId(), group.version(),
                members.size(), result.getLabels().stream().filter(l -> l.getAboveThreshold()).count());
    }

    private void forget(String key) {
        filmsOf(key).forEach(kv -> films.delete(kv.key));
        groups.delete(key);
        metrics.studyGroupClosed();
    }

    /** The group's films (key, Finding), read to a list first so callers may change the store. */
    private List<KeyValue<String, Finding>> filmsOf(String key) {
        List<KeyValue<String, Finding>> out = new ArrayList<>();
        try (KeyValueIterator<String, Finding> it = films.prefixScan(key + SEP, new StringSerializer())) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Zero-padded so the string order of keys is their time order. */
    static String dueKey(long atMs, String groupKey) {
        return String.format(Locale.ROOT, "%019d", Math.max(0, atMs)) + SEP + groupKey;
    }
}
