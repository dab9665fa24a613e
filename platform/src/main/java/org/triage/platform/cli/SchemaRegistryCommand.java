package org.triage.platform.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.triage.platform.PortInUseException;
import org.triage.platform.registry.BasicAuth;
import org.triage.platform.registry.KafkaSchemaLog;
import org.triage.platform.registry.SchemaRegistryServer;
import org.triage.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The schema registry alone, on an existing Kafka: what a deployment runs instead of {@code local-stack}.
 * Several instances on one topic are safe (they share a transactional.id and fence each other's writes).
 * stdout carries one line, {@code schema.registry.url=http://HOST:PORT}, once it serves; logs go to stderr.
 */
@Command(name = "schema-registry", mixinStandardHelpOptions = true,
        description = {"Run the Confluent-compatible schema registry on an existing Kafka cluster.",
                "Prints schema.registry.url=... on stdout once it serves, then runs until stopped."})
public final class SchemaRegistryCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", defaultValue = "${env:TRIAGE_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka to keep the schemas in (env TRIAGE_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "8081", description = "HTTP port (0 = any free port; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--topic", defaultValue = Topics.SCHEMAS, description = "The schema log topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "How long to wait for Kafka (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Mixin
    RegistryAuthOptions registryAuth = new RegistryAuthOptions();

    @Override
    public Integer call() throws Exception {
        BasicAuth auth;
        try {
            auth = registryAuth.basicAuth();
        } catch (RegistryAuthOptions.Invalid e) {
            System.err.println("triage schema-registry: " + e.getMessage());
            return 2;
        }
        SchemaRegistryServer server;
        try {
            server = SchemaRegistryServer.start(new KafkaSchemaLog(bootstrapServers, topic, Map.of(), Duration.ofMillis(timeoutMs)),
                    bind, port, Optional.ofNullable(auth));
        } catch (PortInUseException e) {
            System.err.println("triage schema-registry: " + e.getMessage().replace("--registry-port", "--port"));
            return 1;
        } catch (Exception e) {
            System.err.println("triage schema-registry: could not start on " + bootstrapServers + ": " + LocalStackCommand.rootMessage(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "schema-registry-shutdown"));
        System.out.println("schema.registry.url=" + server.url());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
