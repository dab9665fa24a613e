package org.triage.stream.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Copies each film of the STAT lane onto {@code radiographs}, marked {@link Lane#SCORED_IN_HEADER}:
 * that topic stays the log of every film (retraining and the rescan read it), and the routine lane
 * knows not to score it again. The copy commits in the same transaction as the STAT batcher's
 * pending-store entry for the film, so a film is either both kept for scoring and copied, or neither.
 */
final class StatCopyProcessor implements Processor<String, byte[], String, byte[]> {
    private ProcessorContext<String, byte[]> context;

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        // New headers: the source hands the same record to the batcher and the thumbnailer too.
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.remove(Lane.SCORED_IN_HEADER).add(Lane.SCORED_IN_HEADER, Lane.scoredInStat());
        context.forward(record.withHeaders(headers), Lane.STAT_COPY_SINK);
    }
}
