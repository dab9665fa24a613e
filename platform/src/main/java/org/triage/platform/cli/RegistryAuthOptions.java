package org.triage.platform.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.triage.platform.registry.BasicAuth;
import picocli.CommandLine.Option;

/**
 * The registry's basic-auth flags, shared by {@code local-stack} and {@code schema-registry}. Both may be
 * given; the users of both are let in. Neither set (nor their env variables): the registry stays open.
 */
public final class RegistryAuthOptions {
    // The password must not show up in --help, so no ${DEFAULT-VALUE} in these descriptions.
    @Option(names = "--registry-basic-auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:TRIAGE_REGISTRY_BASIC_AUTH}",
            description = "Require HTTP basic auth on the registry for this user (env TRIAGE_REGISTRY_BASIC_AUTH). "
                    + "Prefer the env or the file: a flag is visible in ps.")
    String userInfo;

    @Option(names = "--registry-basic-auth-file", paramLabel = "FILE", defaultValue = "${env:TRIAGE_REGISTRY_BASIC_AUTH_FILE}",
            description = "Require HTTP basic auth on the registry for the user:password lines of FILE (env TRIAGE_REGISTRY_BASIC_AUTH_FILE).")
    Path file;

    /** A problem with the settings, worded for the user (never containing a password). */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** The configured users, or null when basic auth is off. */
    public BasicAuth basicAuth() throws Invalid {
        try {
            BasicAuth auth = userInfo == null || userInfo.isEmpty() ? null : BasicAuth.of(userInfo);
            if (file != null && !file.toString().isEmpty()) {
                BasicAuth fromFile = BasicAuth.fromFile(file);
                auth = auth == null ? fromFile : auth.and(fromFile);
            }
            return auth;
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        } catch (IOException e) {
            throw new Invalid("cannot read --registry-basic-auth-file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
