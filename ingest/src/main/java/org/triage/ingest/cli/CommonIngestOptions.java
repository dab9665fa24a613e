package org.triage.ingest.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.SiteKey;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.schemas.RecordSizes;
import picocli.CommandLine.Option;

/** Flags shared by the three intake paths: site key, de-identification, limits, normalisation. */
public final class CommonIngestOptions {
    @Option(names = "--pseudonym-key-file", description = "File holding the HMAC key for patient pseudonyms (else env TRIAGE_PSEUDONYM_KEY).")
    Path pseudonymKeyFile;

    @Option(names = "--demo-key", description = "Use the built-in public demo key (demos and tests only: never with patient data).")
    boolean demoKey;

    @Option(names = "--max-side", defaultValue = "1024", description = "Downscale so the long side is at most this many pixels (default ${DEFAULT-VALUE}).")
    int maxSide;

    @Option(names = "--max-event-mb",
            description = "Refuse (to the DLQ, with the size as the reason) events larger than this many MiB; at most and by default the "
                    + "largest event --max-side " + RecordSizes.MAX_SIDE_LIMIT + " can produce, which every topic and client is sized for.")
    Double maxEventMb;

    @Option(names = "--max-dimension", defaultValue = "16384", description = "Refuse images with more rows or columns than this (default ${DEFAULT-VALUE}).")
    int maxDimension;

    @Option(names = "--max-dataset-mb", defaultValue = "512", description = "Refuse datasets/files larger than this many MiB (default ${DEFAULT-VALUE}).")
    int maxDatasetMb;

    @Option(names = "--max-decoded-mb", defaultValue = "512", description = "Refuse images whose decoded 16-bit frame exceeds this many MiB (default ${DEFAULT-VALUE}).")
    int maxDecodedMb;

    @Option(names = "--ack-timeout-ms", defaultValue = "30000", description = "How long to wait for Kafka to acknowledge an event (default ${DEFAULT-VALUE}).")
    long ackTimeoutMs;

    @Option(names = "--reference-dir", description = "Reference mode: write images to this shared folder and put file: URIs in the events.")
    Path referenceDir;

    @Option(names = "--memory-budget-mb", defaultValue = "2048",
            description = "Bound on datasets in flight plus images being decoded, all associations together (default ${DEFAULT-VALUE}; -Xmx must exceed it).")
    long memoryBudgetMb;

    @Option(names = "--quarantine-dir",
            description = "Owner-only folder for rejected originals; DLQ records point here (else env TRIAGE_QUARANTINE_DIR, else ~/.triage/quarantine).")
    Path quarantineDir;

    @Option(names = "--quarantine-max-mb", defaultValue = "2048",
            description = "Bound on the quarantine's total size; originals that do not fit are not kept and their DLQ record says so (default ${DEFAULT-VALUE}).")
    long quarantineMaxMb;

    @Option(names = "--keep-dates",
            description = "Publish acquisition dates and times as received (Retain Longitudinal Temporal Information with Full Dates) "
                    + "instead of shifting each patient's back by a keyed 1..365 days (the default).")
    boolean keepDates;

    @Option(names = "--retain-device-identity",
            description = "Name the sending device in events and DLQ records (scp:<calling AE title>, stow:<client address>); "
                    + "by default only the intake path or --source-name.")
    boolean retainDeviceIdentity;

    @Option(names = "--source-name", description = "What events name as their source instead of the intake path (e.g. the site), "
            + "unless --retain-device-identity.")
    String sourceName;

    @Option(names = "--accept-burned-in",
            description = "Accept films whose pixels may show identity (Burned In Annotation YES, or absent on a secondary capture); "
                    + "by default they are refused and quarantined. Only where pixels are known to be clean.")
    boolean acceptBurnedIn;

    @Option(names = "--reid-dir",
            description = "Owner-only folder of the encrypted re-identification store (else env " + DeidOptions.ENV_REID_DIR
                    + ", else ~/.triage/reid; with --demo-key a new temporary folder).")
    Path reidDir;

    /** With the public demo key, a persistent map would only collect demo runs under a key anyone has: it is temporary. */
    DeidOptions deid() {
        Path dir = reidDir != null ? reidDir : usesDemoKey() ? null : DeidOptions.defaultReidentificationDir();
        return new DeidOptions(!keepDates, retainDeviceIdentity, sourceName, acceptBurnedIn, dir);
    }

    /** The order {@link Pseudonymiser#fromConfig} resolves the key in: file, environment, demo key. */
    private boolean usesDemoKey() {
        String env = System.getenv(SiteKey.ENV_KEY);
        return demoKey && pseudonymKeyFile == null && (env == null || env.isBlank());
    }

    Path quarantineDir() {
        return quarantineDir != null ? quarantineDir : Quarantine.defaultDir();
    }

    long quarantineMaxBytes() {
        return quarantineMaxMb << 20;
    }

    Pseudonymiser pseudonymiser() {
        return Pseudonymiser.fromConfig(pseudonymKeyFile, System.getenv(SiteKey.ENV_KEY), demoKey);
    }

    DicomLimits limits() {
        long dataset = (long) maxDatasetMb << 20;
        return new DicomLimits(dataset, maxDimension, maxDimension, (long) maxDecodedMb << 20, dataset);
    }

    /** Null when --max-side and --max-event-mb are within what topics and clients are sized for; else what to change. */
    String sizeProblem() {
        if (maxSide < 16 || maxSide > RecordSizes.MAX_SIDE_LIMIT) {
            return "--max-side " + maxSide + " is outside 16.." + RecordSizes.MAX_SIDE_LIMIT
                    + " (the largest side every topic and client is sized for)";
        }
        if (maxEventMb != null && (maxEventMb <= 0 || maxEventBytes() > RecordSizes.MAX_EVENT_BYTES)) {
            return "--max-event-mb " + maxEventMb + " must be above 0 and at most " + (RecordSizes.MAX_EVENT_BYTES >> 20)
                    + " (topics and clients are sized for that; use --reference-dir for larger images)";
        }
        return null;
    }

    long maxEventBytes() {
        return maxEventMb == null ? RecordSizes.MAX_EVENT_BYTES : (long) (maxEventMb * (1 << 20));
    }

    Duration ackTimeout() {
        return Duration.ofMillis(ackTimeoutMs);
    }
}
