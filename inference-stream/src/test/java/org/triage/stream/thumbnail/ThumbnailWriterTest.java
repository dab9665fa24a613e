package org.triage.stream.thumbnail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.triage.events.NormalisedImage;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;

class ThumbnailWriterTest {

    static NormalisedImage image(byte[] encoded) {
        return NormalisedImage.newBuilder().setWidth(1).setHeight(1).setBitsStored(16).setEncoding("png16")
                .setData(ByteBuffer.wrap(encoded)).setUri(null).setSha256("00").setPixelSha256("00")
                .setOriginalWidth(1).setOriginalHeight(1).build();
    }

    static byte[] film(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY), "png", out);
        return out.toByteArray();
    }

    static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) Thread.sleep(10);
    }

    @Test
    void aFilmsPreviewIsWrittenUnderItsSopUidAndAnUndecodableImageIsCountedNotSent() throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        StreamMetrics metrics = new StreamMetrics();
        try (ThumbnailWriter w = new ThumbnailWriter(producer, metrics, 4)) {
            w.offer("1.2.3", image(film(600, 300)));
            w.offer("1.2.4", image(new byte[] {9, 9, 9}));
            await(() -> producer.history().size() == 1 && metrics.scrape().contains("outcome=\"undecodable\"} 1.0"));
        }
        assertEquals(1, producer.history().size());
        ProducerRecord<String, byte[]> r = producer.history().get(0);
        assertEquals(Topics.THUMBNAILS, r.topic());
        assertEquals("1.2.3", r.key());
        assertEquals(128, ImageIO.read(new ByteArrayInputStream(r.value())).getWidth());
        assertTrue(metrics.scrape().contains("triage_stream_thumbnails_total{outcome=\"written\"} 1.0"), metrics.scrape());
        assertTrue(metrics.scrape().contains("triage_stream_thumbnails_total{outcome=\"undecodable\"} 1.0"), metrics.scrape());
    }

    @Test
    void whenTheWorkerIsBehindFilmsAreSkippedAndCountedInsteadOfQueuedWithoutBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // A producer whose first send blocks: the worker is stuck, the one-slot queue fills, the rest is refused.
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(record, callback);
            }
        };
        StreamMetrics metrics = new StreamMetrics();
        byte[] film = film(64, 64);
        try (ThumbnailWriter w = new ThumbnailWriter(producer, metrics, 1)) {
            for (int i = 0; i < 5; i++) w.offer("sop-" + i, image(film));
            await(() -> metrics.scrape().contains("outcome=\"busy\"} 3.0"));
            assertTrue(metrics.scrape().contains("triage_stream_thumbnails_total{outcome=\"busy\"} 3.0"), metrics.scrape());
            release.countDown();
        }
        assertEquals(2, producer.history().size(), "the one in hand and the one queued");
    }
}
