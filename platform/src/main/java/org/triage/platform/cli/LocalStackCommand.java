package org.triage.platform.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.platform.PortInUseException;
import org.triage.platform.registry.BasicAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the embedded Kafka broker and schema registry until stopped (Ctrl-C / SIGTERM).
 *
 * <p>stdout carries exactly the two contract lines, so scripts can read them; logs go to stderr.
 */
@Command(name = "local-stack", mixinStandardHelpOptions = true,
        description = {"Run an embedded single-node Kafka (KRaft) broker (or --brokers 3: a 3-node cluster) and a Confluent-compatible schema registry on 127.0.0.1.",
                "Prints bootstrap.servers=... and schema.registry.url=... on stdout, then runs until stopped."})
public final class LocalStackCommand implements Callable<Integer> {
    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka client port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry HTTP port (0 = any free port; default ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--data-dir", description = "Keep broker data (topics, schemas) here across restarts; default: a temporary directory deleted on exit.")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "1", description = "Partitions of each topic created on first start (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address the schema registry binds (default ${DEFAULT-VALUE}; the broker always stays on 127.0.0.1).")
    String bind;

    @Option(names = "--brokers", defaultValue = "1", description = {"Kafka brokers (default ${DEFAULT-VALUE}: one, inside this process).",
            "3: three KRaft nodes in their own processes on ports --kafka-port, +1, +2, topics with 3 replicas and min.insync.replicas=2."})
    int brokers;

    @Mixin
    RegistryAuthOptions registryAuth = new RegistryAuthOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        BasicAuth auth;
        try {
            auth = registryAuth.basicAuth();
        } catch (RegistryAuthOptions.Invalid e) {
            System.err.println("triage local-stack: " + e.getMessage());
            return 2;
        }
        LocalStack stack;
        try {
            stack = LocalStack.start(LocalStackOptions.defaults().dataDir(dataDir).kafkaPort(kafkaPort)
                    .registryPort(registryPort).partitions(partitions).registryBind(bind).brokers(brokers)
                    .registryBasicAuth(auth));
        } catch (PortInUseException e) {
            System.err.println("triage local-stack: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("triage local-stack: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("triage local-stack: could not start: " + rootMessage(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                stack.close();
            } finally {
                stopped.countDown();
            }
        }, "local-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("bootstrap.servers=" + stack.bootstrapServers());
        out.println("schema.registry.url=" + stack.schemaRegistryUrl());
        out.flush();
        stopped.await();
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? m : e.getMessage() + " (" + m + ")";
    }
}
