package org.triage.stream.topology;

import org.triage.events.Severity;

/**
 * Tuning of the topology.
 *
 * @param maxBatch          a batch closes at once when it holds this many records
 * @param maxDelayMs        ... or when its oldest record has waited this long (wall clock)
 * @param preprocessThreads threads that decode and preprocess images beside the stream thread
 * @param sketchCapacity    recent distances kept per label for QUANTILE thresholds and novelty
 * @param sketchMinSamples  a quantile threshold (or novelty reference) needs this many samples first
 * @param noveltyThreshold  NOVELTY alert when nearest distance / typical nearest distance reaches this
 * @param noveltySeverity   severity of NOVELTY alerts
 * @param evidenceLabels    top labels attached to an alert as evidence
 * @param pipelined         run a closed batch's inference off the stream thread, so that the next batch's
 *                          records are consumed and preprocessed meanwhile (at most one batch in flight per task)
 */
public record StreamSettings(
        int maxBatch,
        long maxDelayMs,
        int preprocessThreads,
        int sketchCapacity,
        int sketchMinSamples,
        double noveltyThreshold,
        Severity noveltySeverity,
        int evidenceLabels,
        boolean pipelined) {

    public StreamSettings {
        if (maxBatch < 1 || maxBatch > 4096) {
            throw new IllegalArgumentException("max-batch must be in 1..4096, was " + maxBatch);
        }
        if (maxDelayMs < 1) {
            throw new IllegalArgumentException("max-delay-ms must be >= 1, was " + maxDelayMs);
        }
        if (preprocessThreads < 1) {
            throw new IllegalArgumentException("preprocess threads must be >= 1");
        }
        if (sketchCapacity < 16 || sketchMinSamples < 1 || sketchMinSamples > sketchCapacity) {
            throw new IllegalArgumentException("sketch capacity must be >= 16 and min samples in 1..capacity");
        }
        if (!(noveltyThreshold > 0)) {
            throw new IllegalArgumentException("novelty threshold must be > 0");
        }
    }

    public static StreamSettings defaults() {
        return new StreamSettings(32, 50, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 512, 30, 2.0,
                Severity.MEDIUM, 3, true);
    }

    public StreamSettings withBatching(int batch, long delayMs) {
        return new StreamSettings(batch, delayMs, preprocessThreads, sketchCapacity, sketchMinSamples, noveltyThreshold,
                noveltySeverity, evidenceLabels, pipelined);
    }

    public StreamSettings withSketch(int capacity, int minSamples) {
        return new StreamSettings(maxBatch, maxDelayMs, preprocessThreads, capacity, minSamples, noveltyThreshold,
                noveltySeverity, evidenceLabels, pipelined);
    }

    public StreamSettings withNovelty(double threshold, Severity severity) {
        return new StreamSettings(maxBatch, maxDelayMs, preprocessThreads, sketchCapacity, sketchMinSamples, threshold,
                severity, evidenceLabels, pipelined);
    }

    public StreamSettings withPipelined(boolean on) {
        return new StreamSettings(maxBatch, maxDelayMs, preprocessThreads, sketchCapacity, sketchMinSamples, noveltyThreshold,
                noveltySeverity, evidenceLabels, on);
    }

    public StreamSettings withPreprocessThreads(int threads) {
        return new StreamSettings(maxBatch, maxDelayMs, threads, sketchCapacity, sketchMinSamples, noveltyThreshold,
                noveltySeverity, evidenceLabels, pipelined);
    }
}
