package org.triage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code triage labels} is the labels module's command (the trainer's stub is gone). */
class LabelsRegistrationTest {
    @Test
    void labelsIsTheLabelsModulesCommandWithAddAndList() {
        CommandLine labels = new CommandLine(new TriageMain()).getSubcommands().get("labels");
        assertInstanceOf(org.triage.labels.cli.LabelsCommand.class, labels.getCommand());
        assertEquals(Set.of("add", "list"), labels.getSubcommands().keySet());
        assertEquals(0, TriageMain.run("labels", "add", "--help"));
    }
}
