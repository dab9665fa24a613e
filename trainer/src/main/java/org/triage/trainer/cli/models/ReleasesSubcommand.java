package org.triage.trainer.cli.models;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.triage.schemas.cli.ConnectionOptions;
import org.triage.trainer.lifecycle.LifecycleRefusal;
import org.triage.trainer.lifecycle.ReleaseLog;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code triage models} subcommand shares: the connection, the topic, and the exit
 * codes (0 done, 2 refused with what to fix, 1 could not talk to Kafka), the failure always as one line.
 */
abstract class ReleasesSubcommand implements Callable<Integer> {
    static final int REFUSED = 2;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "How long to wait for Kafka (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    CommandSpec spec;

    abstract int run(ReleaseLog log, PrintWriter out);

    @Override
    public final Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String who = "triage models " + spec.name() + ": ";
        try {
            ReleaseLog log = new ReleaseLog(connection.bootstrapServers, connection.schemaRegistryUrl, connection.clientProperties(),
                    Duration.ofMillis(timeoutMs));
            int rc = run(log, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return rc;
        } catch (LifecycleRefusal | IllegalArgumentException e) { // IllegalArgumentException: also a bad --kafka-config
            err.println(who + e.getMessage());
            return REFUSED;
        } catch (IllegalStateException e) {
            err.println(who + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println(who + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        } finally {
            err.flush();
        }
    }

    static String required(String value, String flag, String what) {
        if (value == null || value.isBlank()) {
            throw new LifecycleRefusal("give " + flag + " (" + what + ")");
        }
        return value;
    }
}
