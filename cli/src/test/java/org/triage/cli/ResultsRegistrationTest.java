package org.triage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code triage results serve} is the results module's command. */
class ResultsRegistrationTest {
    @Test
    void resultsIsTheResultsModulesCommandWithServe() {
        CommandLine results = new CommandLine(new TriageMain()).getSubcommands().get("results");
        assertInstanceOf(org.triage.results.cli.ResultsCommand.class, results.getCommand());
        assertEquals(Set.of("serve"), results.getSubcommands().keySet());
        assertEquals(0, TriageMain.run("results", "serve", "--help"));
    }
}
