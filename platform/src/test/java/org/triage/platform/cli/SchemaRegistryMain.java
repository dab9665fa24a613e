package org.triage.platform.cli;

import picocli.CommandLine;

/** Runs the schema-registry command alone in a child JVM, as {@code ./triage schema-registry} does. */
public final class SchemaRegistryMain {
    private SchemaRegistryMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchemaRegistryCommand()).execute(args));
    }
}
