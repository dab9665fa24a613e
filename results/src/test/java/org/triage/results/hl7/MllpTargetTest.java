package org.triage.results.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.triage.results.TestReports;
import org.triage.results.delivery.DeliveryRefused;

class MllpTargetTest {
    static MllpTarget target(MllpListener l) {
        return new MllpTarget("127.0.0.1", l.port(), Duration.ofSeconds(10), new OruMessageBuilder("EDGE", "RIS", "HOSP"));
    }

    @Test
    void theListenerAcceptsAndParsesTheOru() throws Exception {
        try (MllpListener l = new MllpListener(0)) {
            target(l).deliver(TestReports.alert());
            assertEquals(1, l.accepted().size());
            ORU_R01 m = (ORU_R01) l.accepted().get(0);
            assertEquals("S", m.getPATIENT_RESULT().getORDER_OBSERVATION().getOBR().getPriorityOBR().getValue());
            assertEquals("PAT-0042", m.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0).getIDNumber().getValue());
        }
    }

    @Test
    void anApplicationErrorAckIsARefusal() throws Exception {
        try (MllpListener l = new MllpListener(1)) {
            DeliveryRefused e = assertThrows(DeliveryRefused.class, () -> target(l).deliver(TestReports.finding()));
            assertEquals("ACK AE", e.getMessage());
        }
    }

    @Test
    void nobodyListeningIsARefusal() throws Exception {
        int port;
        try (MllpListener l = new MllpListener(0)) {
            port = l.port();
        }
        MllpTarget t = new MllpTarget("127.0.0.1", port, Duration.ofSeconds(2), new OruMessageBuilder("EDGE", "RIS", "HOSP"));
        assertThrows(DeliveryRefused.class, () -> t.deliver(TestReports.finding()));
    }
}
