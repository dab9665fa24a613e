package org.triage.results.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import java.time.Duration;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.triage.results.TestReports;
import org.triage.results.delivery.DeliveryRefused;

class FhirTargetTest {
    @Test
    void postsTheTransactionBundleAsFhirJson() throws Exception {
        try (FhirEndpoint server = new FhirEndpoint(0)) {
            FhirTarget target = new FhirTarget(server.baseUrl(), Duration.ofSeconds(10));
            target.deliver(TestReports.finding());
            assertEquals(1, server.accepted().size());
            FhirEndpoint.Post post = server.accepted().get(0);
            assertEquals(FhirTarget.CONTENT_TYPE, post.contentType());
            Bundle b = FhirContext.forR4().newJsonParser().parseResource(Bundle.class, post.body());
            assertEquals(Bundle.BundleType.TRANSACTION, b.getType());
            assertEquals(TestReports.finding().resultId(), b.getIdentifier().getValue());
            assertTrue(post.body().contains(TestReports.FILM.sopInstanceUid()));
            assertTrue(post.body().contains(TestReports.FILM.patientId()));
        }
    }

    @Test
    void aServerErrorIsARefusalNamingOnlyTheStatus() throws Exception {
        try (FhirEndpoint server = new FhirEndpoint(1)) {
            DeliveryRefused e = assertThrows(DeliveryRefused.class,
                    () -> new FhirTarget(server.baseUrl(), Duration.ofSeconds(10)).deliver(TestReports.finding()));
            assertEquals("HTTP 503", e.getMessage());
        }
    }
}
