package org.triage.ingest.scp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;

/**
 * Settings of the C-STORE SCP.
 *
 * @param allowedCallingAets empty means any calling AE title is accepted
 * @param maxPduLength the Maximum Length we advertise for PDUs we receive
 * @param artimTimeout how long a new connection may take to send its A-ASSOCIATE-RQ (and a peer to answer a release)
 * @param idleTimeout an association that sends nothing this long is aborted
 */
public record ScpConfig(InetAddress bind, int port, String aet, Set<String> allowedCallingAets, int maxAssociations,
                        int maxPduLength, Duration artimTimeout, Duration idleTimeout) {
    public static final int DEFAULT_MAX_PDU = 128 * 1024;

    public ScpConfig {
        if (aet == null || aet.isBlank() || aet.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1-16 characters: '" + aet + "'");
        }
        if (maxAssociations < 1) {
            throw new IllegalArgumentException("max associations must be at least 1");
        }
        if (maxPduLength < 4096 || maxPduLength > (16 << 20)) {
            throw new IllegalArgumentException("max PDU length must be between 4096 and 16 MiB");
        }
        allowedCallingAets = Set.copyOf(allowedCallingAets);
    }

    public static ScpConfig defaults(int port, String aet) {
        return new ScpConfig(InetAddress.getLoopbackAddress(), port, aet, Set.of(), 8, DEFAULT_MAX_PDU, Duration.ofSeconds(30),
                Duration.ofSeconds(60));
    }

    public ScpConfig withAllowedCallingAets(Set<String> aets) {
        return new ScpConfig(bind, port, aet, aets, maxAssociations, maxPduLength, artimTimeout, idleTimeout);
    }

    public ScpConfig withMaxAssociations(int n) {
        return new ScpConfig(bind, port, aet, allowedCallingAets, n, maxPduLength, artimTimeout, idleTimeout);
    }

    public ScpConfig withTimeouts(Duration artim, Duration idle) {
        return new ScpConfig(bind, port, aet, allowedCallingAets, maxAssociations, maxPduLength, artim, idle);
    }

    public ScpConfig withBind(InetAddress address) {
        return new ScpConfig(address, port, aet, allowedCallingAets, maxAssociations, maxPduLength, artimTimeout, idleTimeout);
    }
}
