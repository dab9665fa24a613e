package org.triage.results.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.triage.results.delivery.DeliveryRefused;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.report.ResultReport;

/** POSTs each result as a transaction Bundle to a FHIR R4 server's base URL; any 2xx is acceptance. */
public final class FhirTarget implements DeliveryTarget {
    public static final String CONTENT_TYPE = "application/fhir+json";

    private final URI baseUrl;
    private final Duration timeout;
    private final HttpClient http;
    private final FhirBundleBuilder builder = new FhirBundleBuilder();
    /** Building a FhirContext scans the model classes (seconds); one per target, shared by all its posts. */
    private final FhirContext fhir = FhirContext.forR4();

    public FhirTarget(URI baseUrl, Duration timeout) {
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String name() {
        return "fhir";
    }

    private String toJson(ResultReport report) {
        return fhir.newJsonParser().encodeResourceToString(builder.build(report));
    }

    @Override
    public void deliver(ResultReport report) throws DeliveryRefused {
        HttpRequest request = HttpRequest.newBuilder(baseUrl).timeout(timeout)
                .header("Content-Type", CONTENT_TYPE).header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(toJson(report))).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                throw new DeliveryRefused("HTTP " + status);
            }
        } catch (IOException e) {
            throw new DeliveryRefused(e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryRefused("interrupted", e);
        }
    }
}
