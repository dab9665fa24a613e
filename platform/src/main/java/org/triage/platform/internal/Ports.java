package org.triage.platform.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.triage.platform.PortInUseException;

/** Port probing, so that a taken port is reported by flag name instead of as a bind stack trace. */
public final class Ports {
    private Ports() {
    }

    /**
     * A port that is free right now. The broker must advertise its real port, so "port 0" cannot be left to
     * the broker itself: we pick one, release it and hand it over (a tiny race that tests can live with).
     */
    public static int free(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }

    /** Returns {@code port} when it can be bound, else throws naming the flag that chooses it. */
    public static int requireFree(String host, int port, String flag) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + " must be between 0 and 65535, got " + port);
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (java.net.BindException e) {
            throw new PortInUseException(port, flag);
        }
    }
}
