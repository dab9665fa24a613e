package org.triage.trainer.retrain;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.trainer.lifecycle.ReleaseLog;

/**
 * {@code triage retrain --watch}: a service that starts a {@link RetrainJob} when the
 * {@link RetrainTrigger} says so, at most one at a time however many instances run.
 *
 * <p>Every instance joins the consumer group {@code triage-retrain-watch-<model>} on
 * {@code model-releases} (partitions paused: the group is used for membership, not for records);
 * only the member that owns partition 0 checks and starts jobs, the others stand by and take over
 * when it leaves or dies (after the session timeout). During a rebalance two members can briefly
 * both believe they own it; the job's {@link RetrainLease} then lets only the later job publish.
 * The group is kept alive by this thread's polls while the job trains on its own thread.
 *
 * <p>A job reads the topics up to the ends fixed when it was triggered; those ends become the
 * baseline of the next check, so a refused or rejected job is not repeated on the same data (a
 * restarted watcher forgets a refusal and tries once more).
 */
public final class RetrainWatcher implements AutoCloseable {
    /** @param interval how often the active member checks the labels topic */
    public record Config(String bootstrap, String registryUrl, KafkaClientProperties client, Duration timeout, String modelName,
                         Duration interval, RetrainTrigger trigger) {
    }

    private final Config cfg;
    private final Function<TopicOffsets, RetrainPlan> plans;
    private final PrintStream say;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "triage-retrain-job");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean active = new AtomicBoolean();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean closed;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** @param plans the job's plan for data up to the given ends */
    public RetrainWatcher(Config cfg, Function<TopicOffsets, RetrainPlan> plans, PrintStream say) {
        this.cfg = cfg;
        this.plans = plans;
        this.say = say;
    }

    public static String groupId(String modelName) {
        return "triage-retrain-watch-" + modelName;
    }

    /** Whether this instance is the one that checks and starts jobs. */
    public boolean active() {
        return active.get();
    }

    /** Jobs this instance started. */
    public int jobsStarted() {
        return started.get();
    }

    /** Runs until {@link #close}. */
    public void run() {
        Properties p = cfg.client().newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(cfg.modelName()));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        TopicPartition leaderPartition = new TopicPartition(Topics.MODEL_RELEASES, 0);
        TopicOffsets attempted = new TopicOffsets(Map.of());
        CompletableFuture<String> job = null;
        long nextCheck = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            c.subscribe(List.of(Topics.MODEL_RELEASES), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    if (parts.contains(leaderPartition) && active.getAndSet(false)) {
                        say.println(closed ? "retrain watch: stopped" : "retrain watch: standing by (another instance owns the watch)");
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    c.pause(parts);
                    if (parts.contains(leaderPartition) && !active.getAndSet(true)) {
                        say.println("retrain watch: active for " + cfg.modelName() + " (checks every " + cfg.interval().toSeconds()
                                + " s)");
                    }
                }
            });
            say.println("retrain watch: joined group " + groupId(cfg.modelName()));
            while (!closed) {
                c.poll(Duration.ofMillis(500));
                if (job != null && job.isDone()) {
                    say.println("retrain watch: " + outcome(job));
                    job = null;
                    nextCheck = 0;
                }
                if (job != null || !active.get() || System.nanoTime() < nextCheck) {
                    continue;
                }
                nextCheck = System.nanoTime() + cfg.interval().toNanos();
                try {
                    Optional<TopicOffsets> ends = check(attempted);
                    if (ends.isPresent()) {
                        attempted = ends.get();
                        RetrainPlan plan = plans.apply(ends.get());
                        started.incrementAndGet();
                        job = CompletableFuture.supplyAsync(() -> {
                            try {
                                return new RetrainJob(plan, say).run().summary();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }, jobs);
                    }
                } catch (RuntimeException e) {
                    say.println("retrain watch: check failed (" + message(e) + "); next check in " + cfg.interval().toSeconds() + " s");
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            consumer = null;
            active.set(false);
        }
    }

    /** The ends to train up to when a job should start now, else empty. */
    private Optional<TopicOffsets> check(TopicOffsets attempted) {
        ReleaseHistory history = new ReleaseLog(cfg.bootstrap(), cfg.registryUrl(), cfg.client(), cfg.timeout()).read();
        Optional<ModelRelease> last = lastTrainedOn(history, cfg.modelName());
        TopicOffsets baseline = later(last.map(r -> new TopicOffsets(r.getDataOffsets())).orElse(new TopicOffsets(Map.of())), attempted);
        TopicOffsets ends = new LogSnapshot(cfg.bootstrap(), cfg.registryUrl(), cfg.client(), cfg.timeout()).currentEnds();
        RetrainTrigger.LabelsState labels = new ConfirmationTally(cfg.bootstrap(), cfg.registryUrl(), cfg.client(), cfg.timeout())
                .count(baseline);
        Set<String> seen = last.map(r -> Set.copyOf(r.getSeenLabels())).orElse(Set.of());
        Optional<String> why = cfg.trigger().reason(labels, seen);
        why.ifPresent(w -> say.println("retrain watch: starting a retraining of " + cfg.modelName() + ": " + w));
        return why.map(w -> ends);
    }

    /** The newest release made from the log (it records offsets), else the one in service. */
    static Optional<ModelRelease> lastTrainedOn(ReleaseHistory history, String name) {
        Optional<ModelRelease> retrained = history.releases(name).stream().filter(r -> !r.getDataOffsets().isEmpty())
                .max(Comparator.comparing(ModelRelease::getCreatedAt));
        return retrained.isPresent() ? retrained : history.promoted(name);
    }

    static TopicOffsets later(TopicOffsets a, TopicOffsets b) {
        Map<String, Long> m = new TreeMap<>(a.offsets());
        b.offsets().forEach((k, v) -> m.merge(k, v, Math::max));
        return new TopicOffsets(m);
    }

    private static String outcome(CompletableFuture<String> job) {
        try {
            return "job done: " + job.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RetrainRefusal) {
                return "job did not run: " + cause.getMessage();
            }
            if (cause instanceof RetrainLease.LeaseLost) {
                return "job stopped: another retraining took the lease; nothing was published";
            }
            return "job failed, nothing was published: " + message(cause);
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        jobs.shutdownNow();
    }
}
