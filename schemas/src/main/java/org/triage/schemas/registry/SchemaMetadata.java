package org.triage.schemas.registry;

import org.apache.avro.Schema;

/** One registered version of a subject: what {@code GET /subjects/{s}/versions/{v}} and lookups answer. */
public record SchemaMetadata(String subject, int id, int version, Schema schema) {
}
