package org.triage.results.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.datatype.ST;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.triage.results.report.LabelCodes;
import org.triage.results.report.LabelResult;
import org.triage.results.report.ResultReport;

/**
 * A {@link ResultReport} as an HL7 v2.5.1 ORU^R01: one OBR for the film (priority S for alert-bearing results,
 * R otherwise), an OBX per label (score, abnormal flag when above threshold, the distance threshold as reference
 * range), OBX for the original Study and SOP Instance UIDs and the model, and a "not for diagnostic use" note.
 */
public final class OruMessageBuilder {
    /** HL7's convention for a locally defined coding system. */
    public static final String LOCAL_CODING_SYSTEM = "99TRIAGE";
    /** MSH-10 is 20 characters in v2.5.1; the first 20 hex digits of the finding or alert id (80 bits) fit. */
    static final int MESSAGE_ID_LENGTH = 20;
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String sendingFacility;
    private final String receivingApplication;
    private final String receivingFacility;

    public OruMessageBuilder(String sendingFacility, String receivingApplication, String receivingFacility) {
        this.sendingFacility = sendingFacility;
        this.receivingApplication = receivingApplication;
        this.receivingFacility = receivingFacility;
    }

    /** The MSH-10 control id of a result: the same for every redelivery, so the receiver can drop duplicates. */
    public static String messageId(String resultId) {
        return resultId.length() <= MESSAGE_ID_LENGTH ? resultId : resultId.substring(0, MESSAGE_ID_LENGTH);
    }

    public ORU_R01 build(ResultReport r) throws HL7Exception {
        ORU_R01 m = new ORU_R01();
        try {
            m.initQuickstart("ORU", "R01", "P");
        } catch (IOException e) {
            throw new HL7Exception("cannot initialise an ORU^R01", e);
        }
        String ts = TS.format(r.observedAt());
        MSH msh = m.getMSH();
        msh.getSendingApplication().getNamespaceID().setValue("TRIAGE");
        msh.getSendingFacility().getNamespaceID().setValue(sendingFacility);
        msh.getReceivingApplication().getNamespaceID().setValue(receivingApplication);
        msh.getReceivingFacility().getNamespaceID().setValue(receivingFacility);
        msh.getDateTimeOfMessage().getTime().setValue(ts);
        msh.getMessageControlID().setValue(messageId(r.resultId()));

        PID pid = m.getPATIENT_RESULT().getPATIENT().getPID();
        pid.getSetIDPID().setValue("1");
        if (r.film().patientId() != null) {
            pid.getPatientIdentifierList(0).getIDNumber().setValue(r.film().patientId());
            if (r.film().issuerOfPatientId() != null) {
                pid.getPatientIdentifierList(0).getAssigningAuthority().getNamespaceID().setValue(r.film().issuerOfPatientId());
            }
        }

        ORU_R01_ORDER_OBSERVATION order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
        OBR obr = order.getOBR();
        obr.getSetIDOBR().setValue("1");
        if (r.film().accessionNumber() != null) {
            obr.getPlacerField1().setValue(r.film().accessionNumber());
        }
        obr.getFillerOrderNumber().getEntityIdentifier().setValue(r.resultId());
        obr.getFillerOrderNumber().getNamespaceID().setValue("TRIAGE");
        obr.getUniversalServiceIdentifier().getIdentifier().setValue("18748-4");
        obr.getUniversalServiceIdentifier().getText().setValue("Diagnostic imaging study");
        obr.getUniversalServiceIdentifier().getNameOfCodingSystem().setValue("LN");
        obr.getPriorityOBR().setValue(r.urgent() ? "S" : "R");
        obr.getQuantityTiming(0).getPriority().setValue(r.urgent() ? "S" : "R");
        obr.getObservationDateTime().getTime().setValue(ts);
        obr.getResultsRptStatusChngDateTime().getTime().setValue(ts);
        obr.getDiagnosticServSectID().setValue("RAD");
        obr.getResultStatus().setValue("P");

        int setId = 0;
        for (LabelResult l : r.labels()) {
            OBX obx = nextObx(order, ++setId, "NM");
            LabelCodes.Code code = LabelCodes.of(l.labelId());
            CE id = obx.getObservationIdentifier();
            id.getIdentifier().setValue(code.localCode());
            id.getText().setValue(code.display());
            id.getNameOfCodingSystem().setValue(LOCAL_CODING_SYSTEM);
            if (code.snomedCode() != null) {
                id.getAlternateIdentifier().setValue(code.snomedCode());
                id.getAlternateText().setValue(code.snomedDisplay());
                id.getNameOfAlternateCodingSystem().setValue("SCT");
            }
            NM score = new NM(m);
            score.setValue(format(l.score()));
            obx.getObservationValue(0).setData(score);
            obx.getUnits().getIdentifier().setValue("1");
            if (l.threshold() != null) {
                obx.getReferencesRange().setValue("distance " + format(l.distance()) + " <= " + format(l.threshold()));
            }
            obx.getAbnormalFlags(0).setValue(l.positive() ? "A" : "N");
            obx.getObservationMethod(0).getText().setValue(r.modelName() + " " + r.modelVersion());
        }
        text(order, ++setId, "study-uid", "Study Instance UID", r.film().studyInstanceUid(), m);
        for (var f : r.films()) {
            text(order, ++setId, "sop-uid", "SOP Instance UID", f.sopInstanceUid(), m);
        }
        if (r.studyLevel()) {
            text(order, ++setId, "scope", "Result scope", "study of " + r.films().size() + " film(s), version " + r.studyVersion(), m);
        }
        text(order, ++setId, "model", "Model", r.modelName() + " " + r.modelVersion(), m);
        if (r.alert() != null) {
            text(order, ++setId, "alert", "Alert", r.alert().type() + " " + (r.alert().labelId() == null ? "" : r.alert().labelId() + " ")
                    + r.alert().severity() + (r.alert().rare() ? " rare" : ""), m);
        }
        text(order, ++setId, "note", "Note", "AI triage result, not for diagnostic use", m);
        return m;
    }

    private static OBX nextObx(ORU_R01_ORDER_OBSERVATION order, int setId, String valueType) throws HL7Exception {
        ORU_R01_OBSERVATION group = order.getOBSERVATION(setId - 1);
        OBX obx = group.getOBX();
        obx.getSetIDOBX().setValue(String.valueOf(setId));
        obx.getValueType().setValue(valueType);
        obx.getObservationResultStatus().setValue("P");
        return obx;
    }

    private static void text(ORU_R01_ORDER_OBSERVATION order, int setId, String code, String display, String value, ORU_R01 m)
            throws HL7Exception {
        OBX obx = nextObx(order, setId, "ST");
        obx.getObservationIdentifier().getIdentifier().setValue(code);
        obx.getObservationIdentifier().getText().setValue(display);
        obx.getObservationIdentifier().getNameOfCodingSystem().setValue(LOCAL_CODING_SYSTEM);
        ST st = new ST(m);
        try {
            st.setValue(value);
        } catch (DataTypeException e) {
            throw new HL7Exception(e);
        }
        obx.getObservationValue(0).setData(st);
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
