package org.triage.stream.thumbnail;

import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.NormalisedImage;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.topology.ImageBytes;

/**
 * Makes previews on one background thread and writes them to {@code thumbnails} with its own
 * idempotent producer, outside the stream's transactions: a preview costs about one more decode
 * of the film, which must not slow the stream thread or the batch. The queue is short because it
 * holds whole films; when it is full the film gets no preview (counted as {@code busy}). A
 * replayed film writes its preview again under the same key, which compaction folds away.
 */
public final class ThumbnailWriter implements ThumbnailSink {
    private static final Logger LOG = LoggerFactory.getLogger(ThumbnailWriter.class);
    public static final int DEFAULT_QUEUE = 4;

    private final Producer<String, byte[]> producer;
    private final StreamMetrics metrics;
    private final ThreadPoolExecutor worker;

    public ThumbnailWriter(Producer<String, byte[]> producer, StreamMetrics metrics, int queue) {
        this.producer = producer;
        this.metrics = metrics;
        worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "triage-thumbnails");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** @param client security settings; acks and idempotence below win */
    public static ThumbnailWriter connect(String bootstrapServers, KafkaClientProperties client, StreamMetrics metrics) {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-stream-thumbnails");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new ThumbnailWriter(new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()), metrics, DEFAULT_QUEUE);
    }

    @Override
    public void offer(String sopInstanceUid, NormalisedImage image) {
        try {
            worker.execute(() -> write(sopInstanceUid, image));
        } catch (RejectedExecutionException e) {
            metrics.thumbnail("busy");
        }
    }

    private void write(String sop, NormalisedImage image) {
        byte[] png;
        try {
            png = ThumbnailMaker.make(ImageBytes.of(image));
        } catch (RuntimeException e) {
            metrics.thumbnail("undecodable");
            return;
        }
        producer.send(new ProducerRecord<>(Topics.THUMBNAILS, sop, png), (md, e) -> {
            if (e == null) {
                metrics.thumbnail("written");
            } else {
                metrics.thumbnail("failed");
                LOG.warn("could not write a preview to {}: {}", Topics.THUMBNAILS, e.toString());
            }
        });
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
