package org.triage.stream.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.triage.stream.InferenceStream;

/**
 * The stream as a separate JVM for the crash test: args bootstrap, registry, state dir,
 * application id[, instance id] (several instances of one application need distinct ones). Uses the fake model (slowed a little, so that batches are in flight when
 * the process is killed). Prints RUNNING once the topology runs.
 */
public final class StreamMain {
    public static void main(String[] args) throws Exception {
        InferenceStream s = InferenceStream.builder()
                .bootstrapServers(args[0])
                .schemaRegistryUrl(args[1])
                .stateDir(Path.of(args[2]))
                .applicationId(args[3])
                .modelDir(Path.of(args[2]))
                .modelLoader(dir -> new SlowFake(new FakeEmbedder("v1", 2)))
                .maxBatch(8)
                .maxDelayMs(20)
                // Static membership: a restarted instance takes its partitions back without waiting for a session timeout.
                .property(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                        args.length > 4 ? args[4] : "crash-test-instance")
                .property(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        s.start();
        s.awaitRunning(Duration.ofSeconds(60));
        System.out.println("RUNNING");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** 10 ms per batch: wide enough that a kill often lands mid-batch. */
    private static final class SlowFake implements org.triage.stream.model.BatchEmbedder {
        private final FakeEmbedder d;

        SlowFake(FakeEmbedder d) {
            this.d = d;
        }

        @Override
        public org.triage.stream.model.ModelInfo info() {
            return d.info();
        }

        @Override
        public float[] preprocess(byte[] encodedImage) {
            return d.preprocess(encodedImage);
        }

        @Override
        public float[][] embed(float[][] batch) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return d.embed(batch);
        }

        @Override
        public float[][] project(float[][] classVectors) {
            return d.project(classVectors);
        }

        @Override
        public float distance(float[] embedding, float[] prototype) {
            return d.distance(embedding, prototype);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
