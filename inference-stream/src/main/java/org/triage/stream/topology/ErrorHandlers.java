package org.triage.stream.topology;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.stream.metrics.StreamMetrics;

/**
 * Kafka Streams' exception handlers: a record that cannot be deserialized or processed is sent
 * to the DLQ with its cause and the stream continues. (The radiographs source reads bytes, so its
 * records reach the batcher's own try/catch; these handlers cover everything else.) A failure of
 * infrastructure ({@link Failures#infrastructure}) is never the record's fault: it fails the
 * task, nothing is DLQ'd, and the thread is replaced after a backoff to retry from the last commit.
 */
public final class ErrorHandlers {
    /** Config keys under which the stream passes its DLQ sink and metrics to the handlers. */
    public static final String DLQ_SINK_CONFIG = "triage.dlq.sink";
    public static final String METRICS_CONFIG = "triage.metrics";

    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

    private ErrorHandlers() {
    }

    /** True (and counted) when the exception is a failure of infrastructure, to be retried rather than DLQ'd. */
    static boolean infrastructure(Exception exception, StreamMetrics metrics) {
        java.util.Optional<String> dependency = Failures.infrastructure(exception);
        if (dependency.isEmpty()) {
            return false;
        }
        LOG.warn("{} unavailable ({}); the task is retried from its last commit, nothing goes to the DLQ", dependency.get(),
                BatchingProcessor.describe(exception));
        if (metrics != null) {
            metrics.infrastructureFailure(dependency.get(), BatchingProcessor.describe(exception));
        }
        return true;
    }

    public static final class Deserialization implements DeserializationExceptionHandler {
        private DlqSink dlq;
        private StreamMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            if (configs.get(DLQ_SINK_CONFIG) instanceof DlqSink d) {
                dlq = d;
            }
            if (configs.get(METRICS_CONFIG) instanceof StreamMetrics m) {
                metrics = m;
            }
        }

        @Override
        public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                     Exception exception) {
            if (infrastructure(exception, metrics)) {
                return DeserializationHandlerResponse.FAIL;
            }
            String error = BatchingProcessor.describe(exception);
            LOG.warn("undeserializable record {}-{}@{} skipped to the DLQ: {}", record.topic(), record.partition(),
                    record.offset(), error);
            if (dlq != null) {
                String key = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
                dlq.send(key, record.value(), "deserialize", error, record.topic(), record.partition(), record.offset());
            }
            if (metrics != null) {
                metrics.dlq("deserialize");
            }
            return DeserializationHandlerResponse.CONTINUE;
        }
    }

    public static final class Processing implements ProcessingExceptionHandler {
        private DlqSink dlq;
        private StreamMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            if (configs.get(DLQ_SINK_CONFIG) instanceof DlqSink d) {
                dlq = d;
            }
            if (configs.get(METRICS_CONFIG) instanceof StreamMetrics m) {
                metrics = m;
            }
        }

        @Override
        public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (infrastructure(exception, metrics)) {
                return ProcessingHandlerResponse.FAIL;
            }
            String error = BatchingProcessor.describe(exception);
            LOG.error("processing error at node {} ({}-{}@{}), record sent to the DLQ: {}", context.processorNodeId(),
                    context.topic(), context.partition(), context.offset(), error);
            if (dlq != null) {
                byte[] value = record != null && record.value() instanceof byte[] b ? b : null;
                String key = record != null && record.key() instanceof String s ? s : null;
                dlq.send(key, value, "processing", error, context.topic() == null ? "" : context.topic(), context.partition(),
                        context.offset());
            }
            if (metrics != null) {
                metrics.dlq("processing");
            }
            return ProcessingHandlerResponse.CONTINUE;
        }
    }
}
