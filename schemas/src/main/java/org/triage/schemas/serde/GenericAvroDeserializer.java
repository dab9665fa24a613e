package org.triage.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.triage.schemas.registry.SchemaRegistryClient;

/**
 * Deserializes wire-format records as {@link GenericRecord}s of their writer schema (or of a
 * given reader schema, for projections). With {@code specific.avro.reader=true}, records whose
 * writer schema has a generated class come back as that class (which is a GenericRecord too).
 */
public class GenericAvroDeserializer extends AbstractAvroDeserializer<GenericRecord> {
    private final Schema readerSchema;

    public GenericAvroDeserializer() {
        this(null, null);
    }

    public GenericAvroDeserializer(SchemaRegistryClient client) {
        this(client, null);
    }

    /** @param readerSchema schema to resolve every record into, or null to read each in its writer schema */
    public GenericAvroDeserializer(SchemaRegistryClient client, Schema readerSchema) {
        super(client);
        this.readerSchema = readerSchema;
    }

    @Override
    DatumReader<Object> newReader(Schema writer, int writerId) {
        if (config.specificReader() && readerSchema == null) {
            Class<?> cls = SpecificData.get().getClass(writer);
            if (cls != null) {
                SpecificData model = SpecificData.getForClass(cls);
                Schema reader = model.getSchema(cls);
                AvroDeserializerSupport.requireReadable(reader, writer, writerId);
                return new SpecificDatumReader<>(writer, reader, model);
            }
        }
        Schema reader = readerSchema != null ? readerSchema : writer;
        AvroDeserializerSupport.requireReadable(reader, writer, writerId);
        return new GenericDatumReader<>(writer, reader, GenericData.get());
    }
}
