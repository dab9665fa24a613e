package org.triage.stream.study;

import java.time.Duration;

/**
 * How a study's film-level findings become one study-level result.
 *
 * @param topic      the stream's own topic findings travel on, keyed by study and model ({@code <application.id>-findings-by-study}),
 *                   so every film of a study reaches the one task that groups it
 * @param quietTime  a study's result is emitted once no film of it has arrived for this long (wall clock, as MONAI Deploy's
 *                   study grouping: films arrive from a modality over seconds to minutes, and scoring time is not film time)
 * @param lateWindow after a result, a film of the same study arriving within this long re-opens it (version + 1);
 *                   after it the group is forgotten and a later film starts a new group (version 1 again)
 * @param maxFilms   films one group holds; further films of it are counted and left out, so a UID that many films wrongly
 *                   share cannot grow one group without bound
 * @param enabled    false: no grouping sub-topology, no study-results
 */
public record StudySettings(String topic, Duration quietTime, Duration lateWindow, int maxFilms, boolean enabled) {
    public static final Duration DEFAULT_QUIET_TIME = Duration.ofSeconds(60);
    public static final Duration DEFAULT_LATE_WINDOW = Duration.ofHours(24);
    public static final int DEFAULT_MAX_FILMS = 64;

    public StudySettings {
        if (quietTime.isNegative() || quietTime.isZero()) {
            throw new IllegalArgumentException("the study quiet time must be positive, got " + quietTime);
        }
        if (lateWindow.isNegative()) {
            throw new IllegalArgumentException("the late-film window must not be negative, got " + lateWindow);
        }
        if (maxFilms < 1) {
            throw new IllegalArgumentException("a study group must hold at least 1 film, got " + maxFilms);
        }
        if (enabled && (topic == null || topic.isBlank())) {
            throw new IllegalArgumentException("study grouping needs a topic name");
        }
    }

    public static String topicFor(String applicationId) {
        return applicationId + "-findings-by-study";
    }

    public static StudySettings defaults(String applicationId) {
        return new StudySettings(topicFor(applicationId), DEFAULT_QUIET_TIME, DEFAULT_LATE_WINDOW, DEFAULT_MAX_FILMS, true);
    }

    public static StudySettings disabled() {
        return new StudySettings(null, DEFAULT_QUIET_TIME, DEFAULT_LATE_WINDOW, DEFAULT_MAX_FILMS, false);
    }

    public StudySettings withQuietTime(Duration v) {
        return new StudySettings(topic, v, lateWindow, maxFilms, enabled);
    }

    public StudySettings withLateWindow(Duration v) {
        return new StudySettings(topic, quietTime, v, maxFilms, enabled);
    }

    /** How often due studies are looked for: a quarter of the quiet time, between 100 ms and 5 s. */
    public Duration punctuateInterval() {
        long ms = Math.max(100, Math.min(5000, quietTime.toMillis() / 4));
        return Duration.ofMillis(ms);
    }
}
