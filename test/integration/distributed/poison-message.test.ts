import crypto from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { decodeTraceRequestProto } from '../../../core/otlp';
import { DEAD_LETTER_REASON_HEADER, DEAD_LETTER_SOURCE_HEADER } from '../../../ingest/ingest-worker';
import { describeWithEngines } from '../../helpers/engines';
import {
  elapsed,
  expectEverySpanOnce,
  Harness,
  readFromStart,
  roleEnv,
  runNames,
  sendAll,
  sharedEngines,
  spanStream,
  waitForAllSpans,
  withAdmin,
} from './helpers';

describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: a poison message on the spans topic', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 60_000);

  it('goes to <topic>_dlq with its reason; spans after it on the same partition are still ingested', harness.withOutputs(async () => {
    const t0 = performance.now();
    const engines = sharedEngines();
    const names = runNames('poison');
    harness.cleanUpNames(names, engines);
    // one partition: the poison message and the spans after it are in one line
    const env = roleEnv(names, engines, { KAFKA_PARTITIONS: '1' });
    await withAdmin(engines.kafka, (admin) =>
      admin.createTopics({ topics: [{ topic: names.spansTopic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true }),
    );
    const stream = spanStream(names.service, 10, 100, 10);
    // wire type 7 does not exist: no OTLP decoder can take this
    const poison = Buffer.concat([Buffer.from([0x07]), crypto.randomBytes(1024)]);
    expect(() => decodeTraceRequestProto(poison)).toThrow();

    const [collector, ingest] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    await sendAll(collector.otlpUrl, stream.requests.slice(0, 5), 1);

    const kafka = new Kafka({ clientId: 'chainscope-poison-test', brokers: engines.kafka.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: names.spansTopic, acks: -1, messages: [{ value: poison, headers: { origin: 'poison-test' } }] });
    } finally {
      await producer.disconnect();
    }
    await sendAll(collector.otlpUrl, stream.requests.slice(5), 1);

    const query = await harness.start('query', env);
    await waitForAllSpans(query.url, stream, 60_000);
    await expectEverySpanOnce(query.url, stream);

    // read the dead-letter topic from the start with a group of our own
    const dlqTopic = `${names.spansTopic}_dlq`;
    const letters = await readFromStart(engines.kafka, dlqTopic, `${names.group}_dlq_reader`, 1);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(Buffer.compare(letter.value, poison)).toBe(0);
    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toMatch(/protobuf/i);
    expect(letter.headers[DEAD_LETTER_SOURCE_HEADER]).toBe(names.spansTopic);
    expect(letter.headers.origin).toBe('poison-test');
    expect(await ingest.counter('chainscope_ingest_dead_lettered_total')).toBe(1);
    expect(ingest.alive()).toBe(true);
    console.log(
      `poison-message: dead-lettered with ${DEAD_LETTER_REASON_HEADER}="${letter.headers[DEAD_LETTER_REASON_HEADER]}"; ` +
        `${stream.total} spans before and after it ingested once; total ${elapsed(t0)}`,
    );
  }), 180_000);
});
