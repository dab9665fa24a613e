package org.triage.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A failing command prints one line that says what went wrong (and usually what to fix), not a
 * stack trace. {@code TRIAGE_DEBUG=1} brings the trace back for developers.
 */
final class UserFacingErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        if (System.getenv("TRIAGE_DEBUG") != null) {
            ex.printStackTrace();
        }
        StringBuilder msg = new StringBuilder();
        Throwable t = ex;
        while (t != null) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && msg.indexOf(m) < 0) {
                if (msg.length() > 0) msg.append(": ");
                msg.append(m);
            }
            t = t.getCause();
        }
        if (msg.length() == 0) msg.append(ex.getClass().getSimpleName());
        cmd.getErr().println("triage " + cmd.getCommandName() + ": " + msg);
        return 1;
    }
}
