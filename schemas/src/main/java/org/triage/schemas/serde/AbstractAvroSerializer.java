package org.triage.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.triage.schemas.CompatibilityReport;
import org.triage.schemas.registry.SchemaMetadata;
import org.triage.schemas.registry.SchemaRegistryClient;
import org.triage.schemas.registry.SchemaRegistryException;

/**
 * Writes records in the Schema Registry wire format. The schema id comes from registering the
 * record's schema (auto.register.schemas, the default), from looking it up, or from the
 * subject's latest version (use.latest.version; the record is then translated to that schema
 * by Avro schema resolution, so it must be readable by it).
 */
abstract class AbstractAvroSerializer<T extends IndexedRecord> implements Serializer<T> {
    private SchemaRegistryClient client;
    private AvroSerdeConfig config;
    private boolean isKey;
    private final Map<Object, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    AbstractAvroSerializer(SchemaRegistryClient client) {
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

    /** The registry client in use (shared with a paired deserializer by the serdes). */
    public SchemaRegistryClient client() {
        return client;
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        return serialize(topic, data);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " used before configure()");
        }
        Schema schema = record.getSchema();
        String subject = config.subject(topic, isKey, schema);
        int id;
        Object toWrite = record;
        Schema writeSchema = schema;
        try {
            if (config.useLatestVersion()) {
                SchemaMetadata latest = client.getLatest(subject);
                id = latest.id();
                if (!latest.schema().equals(schema)) {
                    toWrite = translate(record, schema, latest.schema(), subject, latest.version());
                    writeSchema = latest.schema();
                }
            } else if (config.autoRegister()) {
                id = client.register(subject, schema);
            } else {
                id = client.lookup(subject, schema).id();
            }
        } catch (SchemaRegistryException e) {
            throw registryFailure(e, topic, subject, schema);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        encode(toWrite, writeSchema, out, topic, subject);
        return out.toByteArray();
    }

    private AvroSerdeException registryFailure(SchemaRegistryException e, String topic, String subject, Schema schema) {
        String what = config.useLatestVersion() ? "fetching the latest schema of subject '" + subject + "'"
                : config.autoRegister() ? "registering schema " + schema.getFullName() + " under subject '" + subject + "'"
                : "looking up schema " + schema.getFullName() + " under subject '" + subject + "'";
        String hint = "";
        if (e.errorCode() == SchemaRegistryException.INCOMPATIBLE_SCHEMA || e.httpStatus() == 409) {
            hint = " (the schema is not compatible with the versions already registered; see schemas/README.md on evolving a schema)";
        } else if (e.isNotFound() && !config.autoRegister()) {
            hint = " (auto.register.schemas=false: register the schema first)";
        }
        return new AvroSerdeException("Cannot serialize a record for topic '" + topic + "': " + what + " failed: " + e.getMessage() + hint, e);
    }

    private void encode(Object value, Schema schema, ByteArrayOutputStream out, String topic, String subject) {
        DatumWriter<Object> writer = writerFor(value, schema);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, encoder);
            encoder.flush();
        } catch (UnresolvedUnionException e) {
            // Its message embeds the offending value; keep record contents (possibly PHI) out of errors and logs.
            throw new SchemaMismatchException("Record " + schema.getFullName() + " for topic '" + topic + "' (subject '" + subject
                    + "') does not match its schema: a value of type "
                    + (e.getUnresolvedDatum() == null ? "null" : e.getUnresolvedDatum().getClass().getName())
                    + " fits no branch of a union");
        } catch (IOException | RuntimeException e) {
            throw new SchemaMismatchException("Record " + schema.getFullName() + " for topic '" + topic + "' (subject '" + subject
                    + "') does not match its schema: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    @SuppressWarnings("unchecked")
    private DatumWriter<Object> writerFor(Object value, Schema schema) {
        if (value instanceof SpecificRecord) {
            Class<?> type = value.getClass();
            return writers.computeIfAbsent(type, t -> (DatumWriter<Object>) (DatumWriter<?>)
                    new SpecificDatumWriter<>(schema, SpecificData.getForClass(type)));
        }
        return writers.computeIfAbsent(schema, s -> new GenericDatumWriter<>(schema, GenericData.get()));
    }

    /** Rewrites {@code record} as a generic record of {@code target} via Avro schema resolution. */
    private Object translate(T record, Schema own, Schema target, String subject, int version) {
        List<String> problems = CompatibilityReport.problems(target, own);
        if (!problems.isEmpty()) {
            throw new SchemaMismatchException("use.latest.version: record " + own.getFullName() + " cannot be written as version "
                    + version + " of subject '" + subject + "': " + String.join("; ", problems));
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        encode(record, own, buffer, "(translation)", subject);
        byte[] bytes = buffer.toByteArray();
        try {
            return new GenericDatumReader<>(own, target, GenericData.get()).read(null, new BoundedBinaryDecoder(bytes, 0, bytes.length));
        } catch (IOException | RuntimeException e) {
            throw new SchemaMismatchException("use.latest.version: record " + own.getFullName() + " cannot be translated to version "
                    + version + " of subject '" + subject + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // The registry client holds no resources that need closing (java.net.http pools idle connections itself).
    }
}
