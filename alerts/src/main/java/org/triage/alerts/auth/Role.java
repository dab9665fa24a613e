package org.triage.alerts.auth;

import java.util.Locale;

/** What a token may do. A responder can do everything a viewer can. */
public enum Role {
    /** Reads alerts, the live stream and the page. */
    VIEWER,
    /** Also acknowledges, resolves, comments on and escalates alerts. */
    RESPONDER;

    public boolean mayAct() {
        return this == RESPONDER;
    }

    /** The spelling used in the tokens file ({@code viewer}, {@code responder}). */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Role parse(String s) {
        for (Role r : values()) {
            if (r.fileName().equals(s)) return r;
        }
        return null;
    }
}
