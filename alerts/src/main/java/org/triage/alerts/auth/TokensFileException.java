package org.triage.alerts.auth;

/**
 * The tokens file cannot be used. The message names the file and line but never quotes the
 * line: it may hold a secret.
 */
public final class TokensFileException extends RuntimeException {
    public TokensFileException(String message) {
        super(message);
    }

    public TokensFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
