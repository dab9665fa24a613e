package org.triage.results.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.triage.results.TestReports;
import org.triage.results.report.ResultReport;

class FhirBundleBuilderTest {
    static final FhirContext CTX = FhirContext.forR4();
    static FhirValidator validator;

    @BeforeAll
    static void validator() {
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(CTX),
                new CommonCodeSystemsTerminologyService(CTX), new InMemoryTerminologyServerValidationSupport(CTX),
                new SnapshotGeneratingValidationSupport(CTX));
        validator = CTX.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    /** Validated in its wire form, as the server will parse it. */
    static List<SingleValidationMessage> errors(ResultReport r) {
        String json = CTX.newJsonParser().encodeResourceToString(new FhirBundleBuilder().build(r));
        ValidationResult result = validator.validateWithResult(json);
        result.getMessages().stream().filter(m -> m.getSeverity() == ResultSeverityEnum.WARNING)
                .forEach(m -> System.out.println("validator warning: " + m.getLocationString() + ": " + m.getMessage()));
        return result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL).toList();
    }

    @Test
    void findingBundleValidatesWithoutErrors() {
        List<SingleValidationMessage> errors = errors(TestReports.finding());
        assertTrue(errors.isEmpty(), () -> errors.stream().map(m -> m.getLocationString() + ": " + m.getMessage()).toList().toString());
    }

    @Test
    void alertBundleValidatesWithoutErrors() {
        List<SingleValidationMessage> errors = errors(TestReports.alert());
        assertTrue(errors.isEmpty(), () -> errors.stream().map(m -> m.getLocationString() + ": " + m.getMessage()).toList().toString());
    }

    @Test
    void studyBundleValidatesWithoutErrorsAndNamesEveryFilm() {
        List<SingleValidationMessage> errors = errors(TestReports.study());
        assertTrue(errors.isEmpty(), () -> errors.stream().map(m -> m.getLocationString() + ": " + m.getMessage()).toList().toString());
        String json = CTX.newJsonParser().encodeResourceToString(new FhirBundleBuilder().build(TestReports.study()));
        assertTrue(json.contains("urn:oid:" + TestReports.FILM.sopInstanceUid()) && json.contains("urn:oid:" + TestReports.LATERAL.sopInstanceUid()), json);
        assertTrue(json.contains("Study of 2 film(s), result version 2"), json);
    }

    @Test
    void aFilmWithoutPatientIdAccessionOrStudyStillValidates() {
        ResultReport full = TestReports.finding();
        ResultReport bare = new ResultReport(full.resultId(), false, full.modelName(), full.modelVersion(), full.observedAt(), full.labels(),
                null, new org.triage.results.report.OriginalFilm("2.25.1", null, null, "1.2.3.4", null, null, null));
        List<SingleValidationMessage> errors = errors(bare);
        assertTrue(errors.isEmpty(), () -> errors.stream().map(m -> m.getLocationString() + ": " + m.getMessage()).toList().toString());
    }

    /** Zero errors means something only if the validator finds them: a bundle with an Observation missing its status. */
    @Test
    void validatorCatchesABrokenBundle() {
        Bundle b = new FhirBundleBuilder().build(TestReports.finding());
        b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Observation.class::isInstance)
                .map(Observation.class::cast).findFirst().orElseThrow().setStatus(null);
        ValidationResult result = validator.validateWithResult(CTX.newJsonParser().encodeResourceToString(b));
        assertTrue(result.getMessages().stream().anyMatch(m -> m.getSeverity() == ResultSeverityEnum.ERROR), result.getMessages().toString());
    }

    @Test
    void carriesOriginalsCodesScoresAndIdempotentIdentifiers() {
        ResultReport r = TestReports.finding();
        Bundle b = new FhirBundleBuilder().build(r);
        assertEquals(Bundle.BundleType.TRANSACTION, b.getType());
        assertEquals(r.resultId(), b.getIdentifier().getValue());
        DiagnosticReport dr = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(DiagnosticReport.class::isInstance).map(DiagnosticReport.class::cast).findFirst().orElseThrow();
        List<String> ids = dr.getIdentifier().stream().map(i -> i.getValue()).toList();
        assertTrue(ids.containsAll(List.of(r.resultId(), "ACC-0042", "urn:oid:" + TestReports.FILM.studyInstanceUid(),
                "urn:oid:" + TestReports.FILM.sopInstanceUid())), ids.toString());
        assertEquals("PAT-0042", dr.getSubject().getIdentifier().getValue());
        assertTrue(dr.getConclusion().contains("not for diagnostic use"));
        assertEquals(3, dr.getResult().size());

        Observation effusion = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Observation.class::isInstance).map(Observation.class::cast)
                .filter(o -> o.getCode().getCoding().stream().anyMatch(c -> "60046008".equals(c.getCode()))).findFirst().orElseThrow();
        assertTrue(effusion.getValueBooleanType().booleanValue());
        assertEquals(3, effusion.getComponent().size(), "score, distance, threshold");
        assertEquals(0.42, effusion.getComponent().get(2).getValueQuantity().getValue().doubleValue(), 1e-6);

        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            assertTrue(e.getRequest().getIfNoneExist().startsWith("identifier="), "conditional create: " + e.getFullUrl());
        }
        String again = CTX.newJsonParser().encodeResourceToString(new FhirBundleBuilder().build(r));
        assertEquals(CTX.newJsonParser().encodeResourceToString(b), again, "a redelivery is the same bundle");
    }
}
