'use strict';
// Drives real third-party clients against our broker and registry for RegistryInteropTest.
// Usage:
//   node interop.js produce  BOOTSTRAP REGISTRY SCHEMA_FILE RECORD_FILE TOPIC_KAFKAJS TOPIC_CONFLUENT
//   node interop.js consume  BOOTSTRAP REGISTRY TOPIC COUNT
//   node interop.js incompatible REGISTRY SUBJECT_PREFIX
// Results go to stdout as one line per result: "RESULT <json>". Client logs go to stderr.
const fs = require('fs');
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType, RestError } = require('@confluentinc/schemaregistry');

const result = (obj) => process.stdout.write('RESULT ' + JSON.stringify(obj) + '\n');

function kafka(bootstrap) {
  return new Kafka({
    clientId: 'interop',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    logCreator: () => ({ level, log }) => process.stderr.write(`kafkajs ${level}: ${log.message}\n`),
    retry: { retries: 8 },
  });
}

const confluentClient = (url) => new SchemaRegistryClient({ baseURLs: [url], cacheCapacity: 100 });

async function produce([bootstrap, url, schemaFile, recordFile, topicKafkajs, topicConfluent]) {
  const schemaText = fs.readFileSync(schemaFile, 'utf8');
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));

  // @kafkajs/confluent-schema-registry: register under <topic>-value, encode with the id it got back.
  const kjs = new SchemaRegistry({ host: url });
  const { id: kafkajsId } = await kjs.register({ type: SchemaType.AVRO, schema: schemaText }, { subject: `${topicKafkajs}-value` });
  const kafkajsValue = await kjs.encode(kafkajsId, record);

  // @confluentinc/schemaregistry: register, then serialize with the latest version of the subject.
  const client = confluentClient(url);
  const confluentId = await client.register(`${topicConfluent}-value`, { schemaType: 'AVRO', schema: schemaText });
  const ser = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, useLatestVersion: true });
  const confluentValue = await ser.serialize(topicConfluent, record);

  const producer = kafka(bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  await producer.send({ topic: topicKafkajs, acks: -1, messages: [{ key: record.labelId, value: kafkajsValue }] });
  await producer.send({ topic: topicConfluent, acks: -1, messages: [{ key: record.labelId, value: confluentValue }] });
  await producer.disconnect();
  result({ kafkajsId, confluentId, kafkajsMagic: kafkajsValue[0], confluentMagic: confluentValue[0] });
}

async function consume([bootstrap, url, topic, count]) {
  const want = Number(count);
  const kjs = new SchemaRegistry({ host: url });
  const deser = new AvroDeserializer(confluentClient(url), SerdeType.VALUE, {});
  const consumer = kafka(bootstrap).consumer({ groupId: `interop-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const viaKafkajs = await kjs.decode(message.value);
          const viaConfluent = await deser.deserialize(topic, message.value);
          result({ key: message.key.toString(), kafkajs: viaKafkajs, confluent: viaConfluent });
          if (++seen >= want) resolve();
        } catch (e) {
          reject(e);
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

async function incompatible([url, prefix]) {
  const v1 = JSON.stringify({ type: 'record', name: 'Evolving', namespace: 'org.triage.interop', fields: [{ name: 'a', type: 'int' }] });
  // A new required field without a default cannot read old data: BACKWARD refuses it.
  const v2 = JSON.stringify({ type: 'record', name: 'Evolving', namespace: 'org.triage.interop',
    fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }] });
  const out = {};

  const kjs = new SchemaRegistry({ host: url });
  await kjs.register({ type: SchemaType.AVRO, schema: v1 }, { subject: `${prefix}-kafkajs` });
  try {
    await kjs.register({ type: SchemaType.AVRO, schema: v2 }, { subject: `${prefix}-kafkajs` });
    out.kafkajs = { refused: false };
  } catch (e) {
    out.kafkajs = { refused: true, name: e.name, status: e.status, message: e.message };
  }

  const client = confluentClient(url);
  await client.register(`${prefix}-confluent`, { schemaType: 'AVRO', schema: v1 });
  try {
    await client.register(`${prefix}-confluent`, { schemaType: 'AVRO', schema: v2 });
    out.confluent = { refused: false };
  } catch (e) {
    out.confluent = { refused: true, restError: e instanceof RestError, status: e.status, errorCode: e.errorCode, message: e.message };
  }
  result(out);
}

const [command, ...args] = process.argv.slice(2);
const commands = { produce, consume, incompatible };
if (!commands[command]) {
  process.stderr.write(`unknown command ${command}\n`);
  process.exit(2);
}
commands[command](args).then(() => process.exit(0), (e) => {
  process.stderr.write(`interop ${command} failed: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
