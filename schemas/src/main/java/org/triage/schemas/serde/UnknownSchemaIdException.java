package org.triage.schemas.serde;

/** The record names a schema id the registry does not know (wrong registry, or a deleted schema). */
public class UnknownSchemaIdException extends AvroSerdeException {
    private final int schemaId;
    private final String registryUrl;

    public UnknownSchemaIdException(String topic, int schemaId, String registryUrl, Throwable cause) {
        super("Unknown schema id " + schemaId + " in a record from topic '" + topic + "': schema registry " + registryUrl
                + " has no schema with that id (is the consumer pointed at the registry the producer used?)", cause);
        this.schemaId = schemaId;
        this.registryUrl = registryUrl;
    }

    public int schemaId() {
        return schemaId;
    }

    public String registryUrl() {
        return registryUrl;
    }
}
