package org.triage.results.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.util.Terser;
import org.junit.jupiter.api.Test;
import org.triage.results.TestReports;
import org.triage.results.report.ResultReport;

class OruMessageBuilderTest {
    final OruMessageBuilder builder = new OruMessageBuilder("EDGE", "RIS", "HOSP");

    /** Encoded and parsed back with HAPI's default (validating) context, as a receiver would. */
    static ORU_R01 roundTrip(ResultReport r, OruMessageBuilder builder) throws Exception {
        try (HapiContext ctx = new DefaultHapiContext()) {
            String wire = ctx.getPipeParser().encode(builder.build(r));
            return (ORU_R01) ctx.getPipeParser().parse(wire);
        }
    }

    @Test
    void alertIsStatWithAnObxPerLabelAndTheOriginals() throws Exception {
        ResultReport r = TestReports.alert();
        ORU_R01 m = roundTrip(r, builder);
        Terser t = new Terser(m);
        assertEquals("ORU", t.get("/MSH-9-1"));
        assertEquals("R01", t.get("/MSH-9-2"));
        assertEquals("2.5.1", t.get("/MSH-12"));
        assertEquals(r.resultId().substring(0, 20), t.get("/MSH-10"));
        assertEquals("PAT-0042", t.get("/.PID-3-1"));
        assertEquals("HOSP-A", t.get("/.PID-3-4-1"));
        assertEquals("S", t.get("/.OBR-5"));
        assertEquals("S", t.get("/.OBR-27-6"));
        assertEquals("ACC-0042", t.get("/.OBR-18"));

        var order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
        OBX effusion = order.getOBSERVATION(0).getOBX();
        assertEquals("NM", effusion.getValueType().getValue());
        assertEquals("Effusion", effusion.getObservationIdentifier().getIdentifier().getValue());
        assertEquals("60046008", effusion.getObservationIdentifier().getAlternateIdentifier().getValue());
        assertEquals("0.9100", effusion.getObservationValue(0).getData().encode());
        assertEquals("A", effusion.getAbnormalFlags(0).getValue());
        assertEquals("N", order.getOBSERVATION(1).getOBX().getAbnormalFlags(0).getValue());

        String all = m.encode();
        assertTrue(all.contains(TestReports.FILM.studyInstanceUid()));
        assertTrue(all.contains(TestReports.FILM.sopInstanceUid()));
        assertTrue(all.contains("not for diagnostic use"));
        assertTrue(all.contains("UNSEEN_CLASS"));
    }

    @Test
    void aStudyResultIsRoutineAndNamesEveryFilm() throws Exception {
        ORU_R01 m = roundTrip(TestReports.study(), builder);
        String wire = m.encode();
        assertTrue(wire.contains(TestReports.FILM.sopInstanceUid()) && wire.contains(TestReports.LATERAL.sopInstanceUid()), wire);
        assertTrue(wire.contains("study of 2 film(s), version 2"), wire);
        assertEquals("R", new Terser(m).get("/.OBR-5"));
    }

    @Test
    void findingIsRoutineAndItsMessageIdIsStable() throws Exception {
        ResultReport r = TestReports.finding();
        ORU_R01 m = roundTrip(r, builder);
        assertEquals("R", new Terser(m).get("/.OBR-5"));
        assertEquals(OruMessageBuilder.messageId(r.resultId()), roundTrip(r, builder).getMSH().getMessageControlID().getValue());
    }
}
