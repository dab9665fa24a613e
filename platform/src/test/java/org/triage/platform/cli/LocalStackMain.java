package org.triage.platform.cli;

import picocli.CommandLine;

/** Runs the local-stack command alone in a child JVM, as {@code ./triage local-stack} does. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalStackCommand()).execute(args));
    }
}
