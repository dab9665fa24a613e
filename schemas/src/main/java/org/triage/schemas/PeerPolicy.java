package org.triage.schemas;

/**
 * Whether a test may skip when a peer it talks to is missing (dcmtk, Orthanc, node and its
 * clients, Debian's python3 modules, chromium, the shared reference data). On a developer's
 * machine it may, saying what to install. Where {@value #ENV}=1 (CI sets it, after installing
 * every peer) it must fail, so that a peer missing from CI can never pass as a green run.
 *
 * <p>Use at a skip site: {@code assumeTrue(available || PeerPolicy.skipAllowed(reason), reason)}.
 */
public final class PeerPolicy {
    public static final String ENV = "TRIAGE_REQUIRE_PEERS";

    private PeerPolicy() {
    }

    public static boolean required() {
        String v = System.getenv(ENV);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    /**
     * False where skipping is allowed (so the caller's assumption skips the test); throws
     * {@link AssertionError} where peers are required.
     */
    public static boolean skipAllowed(String reason) {
        if (required()) {
            throw new AssertionError(ENV + "=1 and a required peer is missing: " + reason);
        }
        return false;
    }
}
