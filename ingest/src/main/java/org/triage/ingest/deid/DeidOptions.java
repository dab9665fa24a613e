package org.triage.ingest.deid;

import java.nio.file.Path;

/**
 * The site's choices within the Basic Application Level Confidentiality Profile (PS3.15 E.2, E.3).
 *
 * @param shiftDates Retain Longitudinal Temporal Information with Modified Dates when true (the default); false is the
 *                   Full Dates option, which keeps acquisition dates and times as received
 * @param retainDeviceIdentity Retain Device Identity: the event's source names the sending device (calling AE title,
 *                   STOW client address); off by default, when it names only the intake path or {@code sourceName}
 * @param sourceName what the event's source says instead of the device (e.g. the site's name); null for the intake path
 * @param acceptBurnedIn accept films whose pixels may carry identity (Burned In Annotation YES, or unknown for
 *                   Secondary Capture); off by default, when they are quarantined
 * @param reidentificationDir owner-only folder of the encrypted re-identification store; null for a temporary one,
 *                   deleted when ingest stops
 */
public record DeidOptions(boolean shiftDates, boolean retainDeviceIdentity, String sourceName, boolean acceptBurnedIn,
                          Path reidentificationDir) {
    public static final String ENV_REID_DIR = "TRIAGE_REID_DIR";

    public static DeidOptions defaults() {
        return new DeidOptions(true, false, null, false, defaultReidentificationDir());
    }

    /** Defaults, with the re-identification store in a temporary folder of its own (demos and tests: phantom data only). */
    public static DeidOptions demo() {
        return new DeidOptions(true, false, null, false, null);
    }

    /** Env {@value #ENV_REID_DIR}, else {@code ~/.triage/reid}. */
    public static Path defaultReidentificationDir() {
        String env = System.getenv(ENV_REID_DIR);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".triage", "reid");
    }

    public DeidOptions withShiftDates(boolean on) {
        return new DeidOptions(on, retainDeviceIdentity, sourceName, acceptBurnedIn, reidentificationDir);
    }

    public DeidOptions withRetainDeviceIdentity(boolean on) {
        return new DeidOptions(shiftDates, on, sourceName, acceptBurnedIn, reidentificationDir);
    }

    public DeidOptions withSourceName(String name) {
        return new DeidOptions(shiftDates, retainDeviceIdentity, name, acceptBurnedIn, reidentificationDir);
    }

    public DeidOptions withAcceptBurnedIn(boolean on) {
        return new DeidOptions(shiftDates, retainDeviceIdentity, sourceName, on, reidentificationDir);
    }

    public DeidOptions withReidentificationDir(Path dir) {
        return new DeidOptions(shiftDates, retainDeviceIdentity, sourceName, acceptBurnedIn, dir);
    }
}
