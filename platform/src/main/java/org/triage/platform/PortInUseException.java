package org.triage.platform;

/** A listener port that is already taken; the message names the flag that picks another one. */
public final class PortInUseException extends RuntimeException {
    private final int port;
    private final String flag;

    public PortInUseException(int port, String flag) {
        super("port " + port + " on 127.0.0.1 is already in use; choose another with " + flag + " (0 picks a free one)");
        this.port = port;
        this.flag = flag;
    }

    public int port() {
        return port;
    }

    public String flag() {
        return flag;
    }
}
