package org.triage.schemas.serde;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.triage.schemas.registry.SchemaRegistryClient;

/**
 * Deserializes wire-format records into a generated class. The reader schema is the class's
 * schema, so a record written with an older or newer compatible version is resolved into the
 * current one (defaults filled in, removed fields dropped). Without a class (Kafka's by-name
 * instantiation and no {@code specific.avro.value.type}), the class is the one generated for
 * the writer schema's full name, as Confluent's {@code specific.avro.reader} does.
 */
public class SpecificAvroDeserializer<T extends SpecificRecord> extends AbstractAvroDeserializer<T> {
    private Class<?> type;

    public SpecificAvroDeserializer() {
        this(null, null);
    }

    public SpecificAvroDeserializer(Class<T> type) {
        this(null, type);
    }

    public SpecificAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        super(client);
        this.type = type;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        super.configure(configs, isKey);
        if (type == null && config.specificType() != null) {
            try {
                type = Class.forName(config.specificType(), true, Thread.currentThread().getContextClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                        config.specificType(), "class not found");
            }
            if (!SpecificRecord.class.isAssignableFrom(type)) {
                throw new ConfigException(config.specificType() + " is not a generated Avro SpecificRecord class");
            }
        }
    }

    @Override
    DatumReader<Object> newReader(Schema writer, int writerId) {
        Class<?> cls = type != null ? type : SpecificData.get().getClass(writer);
        if (cls == null) {
            throw new SchemaMismatchException("schema id " + writerId + " is " + writer.getFullName()
                    + ", for which no generated class is on the classpath (use the generic deserializer)");
        }
        SpecificData model = SpecificData.getForClass(cls);
        Schema reader = model.getSchema(cls);
        AvroDeserializerSupport.requireReadable(reader, writer, writerId);
        return new SpecificDatumReader<>(writer, reader, model);
    }
}
