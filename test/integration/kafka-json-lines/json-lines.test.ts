import { Kafka, logLevel } from 'kafkajs';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';

describeWithEngines(['kafka'], 'ingest of a raw JSON-lines Kafka topic', () => {
  const tag = uniqueName('jsonl');
  const jsonTopic = `${tag}_raw`;
  let app: TestAllInOne;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = new Kafka({ brokers: [ENGINE_ADDRESSES.kafka()], clientId: tag, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: jsonTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    app = await startTestAllInOne({
      bus: 'kafka',
      kafkaBrokers: [ENGINE_ADDRESSES.kafka()],
      spansTopic: `${tag}_spans`,
      logsTopic: `${tag}_logs`,
      ingestGroup: `${tag}_ingest`,
      jsonLogsTopic: jsonTopic,
      jsonLogsMapping: { level: ['lvl', 'level'], defaultService: `${tag}-default` },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
  });

  it('writes mapped records, dead-letters bad lines, and is idempotent on redelivery', async () => {
    const service = `${tag}-checkout`;
    const now = Date.now();
    const batch = [
      JSON.stringify({ '@timestamp': new Date(now).toISOString(), message: 'order placed', lvl: 'warn', service: { name: service }, host: { name: 'node-1' }, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', order: { id: 'ORD-JL-1' } }),
      'this is not json',
      JSON.stringify({ ts: now / 1000, msg: 'order paid', level: 'error', service, kubernetes: { namespace_name: 'shop' } }),
    ].join('\n');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: jsonTopic, messages: [{ value: batch }, { value: JSON.stringify({ time: now, log: 'no service here' }) }] });
    // The same message again (a redelivery, or a shipper retry): same ids, no duplicates.
    await producer.send({ topic: jsonTopic, messages: [{ value: batch }] });
    await producer.disconnect();

    const logs = await waitFor(async () => {
      const res = await getJson(`${app.apiUrl}/api/logs?service=${service}&limit=50`);
      return res.status === 200 && res.body.logs.length >= 2 ? res.body.logs : undefined;
    }, 'JSON-lines records in the API', 30_000);
    const placed = logs.find((l: { body: string }) => l.body === 'order placed');
    expect(placed).toMatchObject({ severityText: 'WARN', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', resource: { 'host.name': 'node-1' }, attributes: { 'order.id': 'ORD-JL-1' } });
    expect(logs.find((l: { body: string }) => l.body === 'order paid')).toMatchObject({ severityText: 'ERROR', attributes: { 'kubernetes.namespace_name': 'shop' } });
    const fallback = await waitFor(async () => {
      const res = await getJson(`${app.apiUrl}/api/logs?service=${tag}-default`);
      return res.body?.logs?.length ? res.body.logs : undefined;
    }, 'record with the default service', 30_000);
    expect(fallback[0].body).toBe('no service here');

    // Both copies of the bad line are dead-lettered, on their own.
    await waitFor(() => app.counters.get('chainscope_ingest_dead_lettered_total') >= 2, 'bad lines dead-lettered', 30_000);
    const consumer = kafka.consumer({ groupId: `${tag}_dlq_reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${jsonTopic}_dlq`, fromBeginning: true });
    const dead: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void dead.push(message.value!.toString()) });
    await waitFor(() => dead.length >= 2, 'dead letters on the DLQ topic', 30_000);
    await consumer.disconnect();
    expect(dead.slice(0, 2)).toEqual(['this is not json', 'this is not json']);

    const again = (await getJson(`${app.apiUrl}/api/logs?service=${service}&limit=50`)).body.logs;
    expect(again).toHaveLength(2);
  }, 90_000);
});
