package org.triage.alerts.auth;

import java.util.Objects;

/** Who made a request: the identity recorded as the actor of an action, and the role. */
public record Principal(String identity, Role role) {
    public Principal {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(role, "role");
    }
}
