package org.triage.results.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.triage.results.delivery.DeliveryRefused;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.report.ResultReport;

/**
 * Sends each result as an ORU^R01 over MLLP, one connection per message (RIS listeners drop idle connections, and a
 * fresh one never mixes up whose ACK it reads). Accepted when the ACK says AA or CA for our message control id.
 */
public final class MllpTarget implements DeliveryTarget {
    private static final Set<String> ACCEPTED = Set.of("AA", "CA");
    private static final int MAX_ACK_BYTES = 64 << 10;

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private final OruMessageBuilder builder;
    private final PipeParser parser;

    public MllpTarget(String host, int port, Duration timeout, OruMessageBuilder builder) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = (int) timeout.toMillis();
        this.builder = builder;
        HapiContext context = new DefaultHapiContext();
        // Receivers send what they send; we only need MSA out of the ACK, not a conformant message.
        context.setValidationContext(ValidationContextFactory.noValidation());
        this.parser = context.getPipeParser();
    }

    @Override
    public String name() {
        return "hl7";
    }

    private String encode(ResultReport report) throws HL7Exception {
        return parser.encode(builder.build(report));
    }

    @Override
    public void deliver(ResultReport report) throws DeliveryRefused {
        String message;
        try {
            message = encode(report);
        } catch (HL7Exception e) {
            throw new DeliveryRefused("cannot build ORU^R01: " + e.getClass().getSimpleName(), e);
        }
        String controlId = OruMessageBuilder.messageId(report.resultId());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            InputStream in = new BufferedInputStream(s.getInputStream());
            MllpFraming.write(out, message, StandardCharsets.UTF_8);
            String ack = MllpFraming.read(in, StandardCharsets.UTF_8, MAX_ACK_BYTES);
            if (ack == null) {
                throw new DeliveryRefused("connection closed without an ACK");
            }
            checkAck(ack, controlId);
        } catch (IOException e) {
            throw new DeliveryRefused(e.getClass().getSimpleName(), e);
        }
    }

    private void checkAck(String ack, String controlId) throws DeliveryRefused {
        try {
            Message parsed = parser.parse(ack);
            Terser t = new Terser(parsed);
            String code = t.get("/MSA-1");
            String acked = t.get("/MSA-2");
            if (!controlId.equals(acked)) {
                throw new DeliveryRefused("ACK for another message");
            }
            if (code == null || !ACCEPTED.contains(code)) {
                throw new DeliveryRefused("ACK " + code);
            }
        } catch (HL7Exception e) {
            throw new DeliveryRefused("unreadable ACK: " + e.getClass().getSimpleName(), e);
        }
    }
}
