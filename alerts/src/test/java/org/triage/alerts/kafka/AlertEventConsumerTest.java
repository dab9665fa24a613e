package org.triage.alerts.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.triage.schemas.registry.SchemaRegistryException;
import org.triage.schemas.serde.AvroSerdeException;
import org.triage.schemas.serde.MalformedPayloadException;

class AlertEventConsumerTest {
    @Test
    void onlyAnUnreachableOrFailingRegistryIsWorthARetry() {
        assertTrue(AlertEventConsumer.isTransient(new AvroSerdeException("x", new SchemaRegistryException(-1, -1, "refused"))));
        assertTrue(AlertEventConsumer.isTransient(new AvroSerdeException("x", new SchemaRegistryException(503, 503, "down"))));
        assertFalse(AlertEventConsumer.isTransient(new AvroSerdeException("x", new SchemaRegistryException(404, 40403, "no such id"))));
        assertFalse(AlertEventConsumer.isTransient(new MalformedPayloadException("bad bytes", null)));
        assertFalse(AlertEventConsumer.isTransient(new IllegalStateException("bug")));
    }
}
