package org.triage.schemas.registry;

/**
 * A failed call to the schema registry. Carries what Confluent's API answered: the HTTP status
 * and the {@code error_code} of its error body (e.g. 40403 schema not found, 409/40901
 * incompatible schema, 42201 invalid schema), so callers can branch on them instead of on text.
 * Status -1 means no HTTP answer at all (connection refused, timeout); {@link #TLS_FAILURE} that
 * the TLS handshake failed (an untrusted or mismatched certificate), which no retry fixes.
 */
public class SchemaRegistryException extends RuntimeException {
    /** Confluent error codes the serdes branch on. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 40901;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int SUBJECT_LEVEL_CONFIG_NOT_FOUND = 40408;

    /** Pseudo-status: the TLS handshake with an https registry failed (not retried). */
    public static final int TLS_FAILURE = -2;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** HTTP status of the answer, -1 when the registry could not be reached, {@link #TLS_FAILURE} when TLS failed. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent {@code error_code} from the error body (the HTTP status when the body had none). */
    public int errorCode() {
        return errorCode;
    }

    /** True for a 404 (subject, version or schema not found). */
    public boolean isNotFound() {
        return httpStatus == 404;
    }

    /** True when retrying may help: no answer, or a 5xx / 408 / 429. */
    public boolean isRetryable() {
        return httpStatus == -1 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
