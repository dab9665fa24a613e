package org.triage.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.triage.schemas.registry.SchemaRegistryClient;
import org.triage.schemas.registry.SchemaRegistryException;

/**
 * Reads Schema Registry wire-format records: checks the magic byte, fetches the writer schema by
 * id (cached), and decodes into the reader schema with Avro schema resolution. Every failure is a
 * subclass of {@link AvroSerdeException} that names the topic, the schema id and what is wrong,
 * never the record's contents.
 */
abstract class AbstractAvroDeserializer<T> implements Deserializer<T> {
    private SchemaRegistryClient client;
    AvroSerdeConfig config;
    boolean isKey;
    /** Per writer schema id: the datum reader, or why records with that id cannot be read. */
    private final Map<Integer, Object> readers = new ConcurrentHashMap<>();

    AbstractAvroDeserializer(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.from(configs, isKey);
        this.isKey = isKey;
        if (client == null) {
            client = config.newClient();
        }
    }

    /** Lets a serde hand its serializer's client over before configure(); ignored once a client is set. */
    void shareClient(SchemaRegistryClient shared) {
        if (client == null) {
            client = shared;
        }
    }

    /** The registry client in use. */
    public SchemaRegistryClient client() {
        return client;
    }

    /**
     * A datum reader from {@code writer} to this deserializer's reader schema; throws a
     * SchemaMismatchException, whose message says why without naming a topic, when there is none.
     */
    abstract DatumReader<Object> newReader(Schema writer, int writerId);

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " used before configure()");
        }
        int id = WireFormat.schemaId(topic, data);
        DatumReader<Object> reader = readerFor(id, topic);
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE);
        Object value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new TruncatedPayloadException("Truncated record from topic '" + topic + "': the Avro body (" + (data.length - WireFormat.HEADER_SIZE)
                    + " bytes) ends before a complete record of schema id " + id + ": " + e.getMessage(), e);
        } catch (AvroTypeException e) {
            throw new SchemaMismatchException("Record from topic '" + topic + "' with schema id " + id
                    + " does not match the reader schema: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new MalformedPayloadException("Malformed record from topic '" + topic + "': the bytes are not valid Avro for schema id "
                    + id + ": " + e.getMessage(), e);
        }
        if (decoder.remaining() != 0) {
            throw new MalformedPayloadException("Malformed record from topic '" + topic + "': " + decoder.remaining()
                    + " bytes left over after decoding a record of schema id " + id + " (the id does not describe these bytes)", null);
        }
        return (T) value;
    }

    /** A writer id whose records can never be read by this deserializer; cached so the check runs once per id. */
    private record Unreadable(String reason) {
    }

    @SuppressWarnings("unchecked")
    private DatumReader<Object> readerFor(int id, String topic) {
        Object cached = readers.get(id);
        if (cached == null) {
            cached = buildReader(id, topic);
            Object raced = readers.putIfAbsent(id, cached);
            cached = raced != null ? raced : cached;
        }
        if (cached instanceof Unreadable u) {
            throw new SchemaMismatchException("Record from topic '" + topic + "' does not match the reader schema: " + u.reason());
        }
        return (DatumReader<Object>) cached;
    }

    private Object buildReader(int id, String topic) {
        Schema writer;
        try {
            writer = client.getSchemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new UnknownSchemaIdException(topic, id, client.url(), e);
            }
            // Not cached: a registry outage must not poison the id for the life of the consumer.
            throw new AvroSerdeException("Cannot deserialize a record from topic '" + topic + "': fetching schema id " + id
                    + " from the schema registry failed: " + e.getMessage(), e);
        }
        try {
            return newReader(writer, id);
        } catch (SchemaMismatchException e) {
            return new Unreadable(e.getMessage());
        }
    }

    @Override
    public void close() {
        // Nothing to release; see AbstractAvroSerializer#close.
    }
}
