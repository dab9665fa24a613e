package org.triage.results.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RIS stand-in on 127.0.0.1: parses each framed message with HAPI (its default, validating context) and answers
 * with HAPI's own ACK; the first {@code refuseFirst} messages get an AE instead.
 */
public final class MllpListener implements AutoCloseable {
    private final ServerSocket server;
    private final HapiContext hapi = new DefaultHapiContext();
    private final List<Message> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusalsLeft;
    private final Thread thread;

    public MllpListener(int refuseFirst) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        refusalsLeft = new AtomicInteger(refuseFirst);
        thread = new Thread(this::serve, "test-mllp");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Message> accepted() {
        return accepted;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                String wire = MllpFraming.read(new BufferedInputStream(s.getInputStream()), StandardCharsets.UTF_8, 1 << 20);
                if (wire == null) {
                    continue;
                }
                Message m = hapi.getPipeParser().parse(wire);
                Message ack;
                if (refusalsLeft.getAndDecrement() > 0) {
                    ack = m.generateACK(ca.uhn.hl7v2.AcknowledgmentCode.AE, null);
                } else {
                    accepted.add(m);
                    ack = m.generateACK();
                }
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                MllpFraming.write(out, hapi.getPipeParser().encode(ack), StandardCharsets.UTF_8);
            } catch (Exception e) {
                if (!server.isClosed()) {
                    e.printStackTrace();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        hapi.close();
    }
}
