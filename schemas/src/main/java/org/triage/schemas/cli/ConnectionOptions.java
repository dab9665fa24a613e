package org.triage.schemas.cli;

import picocli.CommandLine.Option;

/**
 * Connection flags shared by every command that talks to Kafka and the schema registry.
 * Defaults point at a running {@code triage local-stack} on its default ports, so that a
 * developer needs no flags at all; production sets the environment variables.
 */
public final class ConnectionOptions {
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final String DEFAULT_REGISTRY = "http://127.0.0.1:8081";

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env TRIAGE_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:TRIAGE_BOOTSTRAP_SERVERS:-" + DEFAULT_BOOTSTRAP + "}")
    public String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (env TRIAGE_SCHEMA_REGISTRY_URL; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:TRIAGE_SCHEMA_REGISTRY_URL:-" + DEFAULT_REGISTRY + "}")
    public String schemaRegistryUrl;
}
