package org.triage.ingest.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.triage.schemas.kafka.KafkaAuthErrors;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.registry.RegistryClientConfig;
import org.triage.schemas.registry.SchemaRegistryClient;

/**
 * Whether ingest can store what it is sent: Kafka acknowledged a record recently or answers a cheap metadata request
 * ({@code describeCluster}, short timeout), and the schema registry answers {@code GET /subjects} (short timeout, no
 * retries). The answer is cached for {@link #CACHE} so scrapers cannot load the brokers or the registry.
 * Reasons name the dependency and the client's error; they never carry patient data (no record content is involved).
 */
public final class IngestHealth implements AutoCloseable {
    /** A Kafka acknowledgement (or failure) newer than this decides Kafka's health without a probe. */
    public static final Duration RECENT = Duration.ofSeconds(30);
    public static final Duration CACHE = Duration.ofSeconds(3);
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final IngestMetrics metrics;
    private final Supplier<String> kafkaProbe;
    private final Supplier<String> registryProbe;
    private final LongSupplier clock;
    private final AutoCloseable resources;
    private long checkedAtMillis = Long.MIN_VALUE;
    private String cached;

    /**
     * @param kafkaProbe    null when Kafka answers, else why not (called only without a recent acknowledgement)
     * @param registryProbe null when the registry answers, else why not
     * @param clock         wall time in ms
     */
    public IngestHealth(IngestMetrics metrics, Supplier<String> kafkaProbe, Supplier<String> registryProbe, LongSupplier clock,
                        AutoCloseable resources) {
        this.metrics = metrics;
        this.kafkaProbe = kafkaProbe;
        this.registryProbe = registryProbe;
        this.clock = clock;
        this.resources = resources;
    }

    /** Probes the real Kafka cluster (an Admin client with the given security settings) and registry. */
    public static IngestHealth connect(String bootstrapServers, String registryUrl, KafkaClientProperties client, IngestMetrics metrics) {
        KafkaProbe kafka = new KafkaProbe(bootstrapServers, client);
        RegistryClientConfig d = RegistryClientConfig.from(client.serdeConfig(registryUrl));
        SchemaRegistryClient registry = new SchemaRegistryClient(registryUrl,
                new RegistryClientConfig(0, d.initialBackoff(), d.maxBackoff(), PROBE_TIMEOUT, d.basicAuthUserInfo(), d.trustStore()));
        Supplier<String> registryProbe = () -> {
            try {
                registry.getSubjects();
                return null;
            } catch (RuntimeException e) {
                return "schema registry unreachable: " + oneLine(e);
            }
        };
        return new IngestHealth(metrics, kafka, registryProbe, System::currentTimeMillis, kafka);
    }

    /** Null when healthy, else the reasons (Kafka first, then the registry), joined by "; ". */
    public synchronized String problem() {
        long now = clock.getAsLong();
        if (now - checkedAtMillis < CACHE.toMillis() && checkedAtMillis != Long.MIN_VALUE) {
            return cached;
        }
        String kafka = kafka(now);
        String registry = registryProbe.get();
        cached = kafka == null ? registry : registry == null ? kafka : kafka + "; " + registry;
        checkedAtMillis = clock.getAsLong();
        return cached;
    }

    private String kafka(long now) {
        long failed = metrics.lastKafkaFailureMillis();
        if (failed != 0 && now - failed < RECENT.toMillis()) {
            return "kafka not acknowledging records (last failure " + (now - failed) / 1000 + " s ago; the log has the cause)";
        }
        long acked = metrics.lastAckMillis();
        if (acked != 0 && now - acked < RECENT.toMillis()) {
            return null;
        }
        return kafkaProbe.get();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** describeCluster with a short timeout; the Admin client is made on first use and kept. */
    static final class KafkaProbe implements Supplier<String>, AutoCloseable {
        private final String bootstrapServers;
        private final KafkaClientProperties client;
        private Admin admin;

        KafkaProbe(String bootstrapServers, KafkaClientProperties client) {
            this.bootstrapServers = bootstrapServers;
            this.client = client;
        }

        @Override
        public synchronized String get() {
            try {
                if (admin == null) {
                    Properties p = client.newProperties();
                    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "triage-ingest-health");
                    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(PROBE_TIMEOUT.toMillis()));
                    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(PROBE_TIMEOUT.toMillis()));
                    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
                    admin = Admin.create(p);
                }
                Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis()))
                        .nodes().get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                return nodes.isEmpty() ? "kafka unreachable at " + bootstrapServers + ": no brokers in the cluster metadata" : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "kafka check interrupted";
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                String auth = KafkaAuthErrors.describe(c, bootstrapServers, client);
                return auth != null ? auth : "kafka unreachable at " + bootstrapServers + ": " + c.getClass().getSimpleName() + ": " + oneLine(c);
            }
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }
}
