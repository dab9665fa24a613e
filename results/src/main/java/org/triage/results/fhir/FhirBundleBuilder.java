package org.triage.results.fhir;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.triage.results.report.LabelCodes;
import org.triage.results.report.LabelResult;
import org.triage.results.report.ResultReport;

/**
 * A {@link ResultReport} as a FHIR R4 transaction Bundle: a Device (the model release), one Observation per label
 * and a DiagnosticReport over them. Every entry is a conditional create on its identifier, so posting the same
 * result twice (at-least-once delivery) leaves the server with one copy.
 */
public final class FhirBundleBuilder {
    public static final String RESULT_SYSTEM = "urn:triage:result";
    public static final String MODEL_SYSTEM = "urn:triage:model";
    public static final String MEASURE_SYSTEM = "urn:triage:measure";
    public static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    public static final String PATIENT_ID_SYSTEM = "urn:triage:patient-id";
    public static final String NOT_FOR_DIAGNOSTIC_USE = "AI triage result, not for diagnostic use: to be confirmed by a radiologist.";

    private static final String LOINC = "http://loinc.org";
    private static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";
    private static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    private static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    private static final String UCUM = "http://unitsofmeasure.org";

    public Bundle build(ResultReport r) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        bundle.setIdentifier(new Identifier().setSystem(RESULT_SYSTEM).setValue(r.resultId()));
        bundle.setTimestamp(Date.from(r.observedAt()));

        String modelKey = r.modelName() + "/" + r.modelVersion();
        Device device = new Device();
        device.addIdentifier().setSystem(MODEL_SYSTEM).setValue(modelKey);
        device.addDeviceName().setName(r.modelName()).setType(Device.DeviceNameType.MODELNAME);
        device.addVersion().setValue(r.modelVersion());
        device.addNote().setText("Zero-shot triage model; " + NOT_FOR_DIAGNOSTIC_USE);
        String deviceUrl = add(bundle, device, "Device", MODEL_SYSTEM, modelKey);

        DiagnosticReport report = new DiagnosticReport();
        report.addIdentifier().setSystem(RESULT_SYSTEM).setValue(r.resultId());
        if (r.film().accessionNumber() != null && !r.film().accessionNumber().isBlank()) {
            report.addIdentifier().setType(new CodeableConcept(new Coding(V2_0203, "ACSN", "Accession ID")))
                    .setValue(r.film().accessionNumber());
        }
        if (r.film().studyInstanceUid() != null) {
            report.addIdentifier(dicomUid(r.film().studyInstanceUid()));
            report.addImagingStudy(new Reference().setType("ImagingStudy").setIdentifier(dicomUid(r.film().studyInstanceUid())));
        }
        r.films().forEach(f -> report.addIdentifier(dicomUid(f.sopInstanceUid())));
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
        report.addCategory(new CodeableConcept(new Coding(V2_0074, "RAD", "Radiology")));
        report.setCode(new CodeableConcept(new Coding(LOINC, "18748-4", "Diagnostic imaging study")));
        report.setSubject(patient(r));
        report.setIssued(Date.from(r.observedAt()));
        report.setEffective(new org.hl7.fhir.r4.model.DateTimeType(Date.from(r.observedAt())));
        report.setConclusion(conclusion(r));

        for (LabelResult l : r.labels()) {
            String obsId = r.resultId() + "/" + l.labelId();
            String url = add(bundle, observation(r, l, obsId, deviceUrl), "Observation", RESULT_SYSTEM, obsId);
            report.addResult(new Reference(url));
        }
        add(bundle, report, "DiagnosticReport", RESULT_SYSTEM, r.resultId());
        return bundle;
    }

    private Observation observation(ResultReport r, LabelResult l, String obsId, String deviceUrl) {
        LabelCodes.Code code = LabelCodes.of(l.labelId());
        Observation o = new Observation();
        o.addIdentifier().setSystem(RESULT_SYSTEM).setValue(obsId);
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "imaging", "Imaging")));
        o.setCode(codeOf(code));
        o.setSubject(patient(r));
        o.setEffective(new org.hl7.fhir.r4.model.DateTimeType(Date.from(r.observedAt())));
        o.setIssued(Date.from(r.observedAt()));
        o.setValue(new org.hl7.fhir.r4.model.BooleanType(l.positive()));
        o.addInterpretation(l.positive()
                ? new CodeableConcept(new Coding(INTERPRETATION, "POS", "Positive"))
                : new CodeableConcept(new Coding(INTERPRETATION, "NEG", "Negative")));
        o.setMethod(new CodeableConcept().setText("zero-shot metric learning model " + r.modelName() + " " + r.modelVersion()));
        o.setDevice(new Reference(deviceUrl));
        o.addComponent(component("score", "Score (0-1, higher = more likely)", l.score()));
        o.addComponent(component("distance", "Distance to the label prototype (lower = more likely)", l.distance()));
        if (l.threshold() != null) {
            o.addComponent(component("threshold", "Operating distance threshold", l.threshold()));
        }
        o.addNote().setText(NOT_FOR_DIAGNOSTIC_USE);
        return o;
    }

    private static CodeableConcept codeOf(LabelCodes.Code code) {
        CodeableConcept c = new CodeableConcept().setText(code.display());
        if (code.snomedCode() != null) {
            c.addCoding(new Coding(LabelCodes.SNOMED_SYSTEM, code.snomedCode(), code.snomedDisplay()));
        }
        c.addCoding(new Coding(LabelCodes.LOCAL_SYSTEM, code.localCode(), code.display()));
        return c;
    }

    private static Observation.ObservationComponentComponent component(String code, String display, double value) {
        return new Observation.ObservationComponentComponent(new CodeableConcept(new Coding(MEASURE_SYSTEM, code, display)))
                .setValue(new Quantity().setValue(value).setSystem(UCUM).setCode("1").setUnit("1"));
    }

    private static String conclusion(ResultReport r) {
        StringBuilder s = new StringBuilder();
        if (r.alert() != null) {
            s.append("Alert ").append(r.alert().type());
            if (r.alert().labelId() != null) {
                s.append(" for ").append(LabelCodes.of(r.alert().labelId()).display());
            }
            s.append(" (severity ").append(r.alert().severity()).append(r.alert().rare() ? ", rare finding" : "").append("). ");
        }
        if (r.studyLevel()) {
            s.append("Study of ").append(r.films().size()).append(" film(s), result version ").append(r.studyVersion())
                    .append(": each label as on the film where it is strongest. ");
        }
        String positive = String.join(", ", r.labels().stream().filter(LabelResult::positive)
                .map(l -> LabelCodes.of(l.labelId()).display()).toList());
        s.append(positive.isEmpty() ? "No label above its threshold. " : "Above threshold: " + positive + ". ");
        return s.append(NOT_FOR_DIAGNOSTIC_USE).toString();
    }

    /** A logical reference: the receiver resolves the patient by identifier, we never create Patient resources. */
    private static Reference patient(ResultReport r) {
        if (r.film().patientId() == null || r.film().patientId().isBlank()) {
            return null;
        }
        Identifier id = new Identifier().setSystem(PATIENT_ID_SYSTEM).setValue(r.film().patientId());
        if (r.film().issuerOfPatientId() != null && !r.film().issuerOfPatientId().isBlank()) {
            id.setAssigner(new Reference().setDisplay(r.film().issuerOfPatientId()));
        }
        return new Reference().setType("Patient").setIdentifier(id);
    }

    private static Identifier dicomUid(String uid) {
        return new Identifier().setSystem(DICOM_UID_SYSTEM).setValue("urn:oid:" + uid);
    }

    /** Adds a conditional create; fullUrls are name-based UUIDs of the identifier, so a rebuild is byte-identical. */
    private static String add(Bundle bundle, Resource resource, String type, String system, String value) {
        String url = "urn:uuid:" + UUID.nameUUIDFromBytes((type + "|" + system + "|" + value).getBytes(StandardCharsets.UTF_8));
        bundle.addEntry().setFullUrl(url).setResource(resource).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl(type)
                .setIfNoneExist("identifier=" + system + "|" + value);
        return url;
    }
}
