import { KafkaBus, type KafkaBusOptions } from '../../../bus/kafka';
import type { BusMessage } from '../../../core/contracts/bus';
import { BackendUnavailableError } from '../../../core/errors';
import { describeWithEngines, uniqueName } from '../../helpers/engines';
import { adminClient, brokers, committedTotal, switchableSockets, until } from './helpers';

jest.setTimeout(120_000);

describeWithEngines(['kafka'], 'KafkaBus against a real Kafka', () => {
  const admin = adminClient();
  const buses: KafkaBus[] = [];
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  function bus(options: Partial<KafkaBusOptions> = {}): KafkaBus {
    const b = new KafkaBus({
      brokers: brokers(),
      clientId: 'chainscope-test',
      heartbeatIntervalMs: 500,
      sessionTimeoutMs: 10_000,
      handlerRetryBaseMs: 50,
      handlerRetryCapMs: 500,
      log: (line) => logs.push(line),
      ...options,
    });
    buses.push(b);
    return b;
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.shutdown()));
    await admin.disconnect();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('round-trips messages with keys and headers, in order within a partition, and creates the topic and its _dlq', async () => {
    const topic = uniqueName('cs_rt');
    const group = uniqueName('cs_rt_g');
    const b = bus();
    await b.start();
    const sent: BusMessage[] = Array.from({ length: 30 }, (_, i) => ({
      key: `order-${i % 3}`,
      value: Buffer.from(`payload-${i}`),
      headers: { 'content-type': 'application/x-protobuf', seq: String(i) },
    }));
    sent.push({ value: Buffer.from('no-key-no-headers') });
    const t0 = Date.now();
    await b.publish(topic, sent.slice(0, 10));
    await b.publish(topic, sent.slice(10));
    const publishMs = Date.now() - t0;

    const got: BusMessage[] = [];
    const tj = Date.now();
    const sub = await b.subscribe(topic, group, async (batch) => void got.push(...batch));
    const joinMs = Date.now() - tj;
    await until(() => got.length >= sent.length, 30_000, 'all messages delivered');
    console.log(`round trip: publish of 2 batches ${publishMs} ms, subscribe/join ${joinMs} ms, delivered after ${Date.now() - tj} ms`);

    expect(got).toHaveLength(sent.length);
    const plain = got.find((m) => m.value.toString() === 'no-key-no-headers')!;
    expect(plain.key).toBeUndefined();
    expect(plain.headers).toBeUndefined();
    for (const key of ['order-0', 'order-1', 'order-2']) {
      const mine = got.filter((m) => m.key === key);
      expect(mine.map((m) => Number(m.headers!.seq))).toEqual(sent.filter((m) => m.key === key).map((m) => Number(m.headers!.seq)));
      for (const m of mine) {
        expect(m.headers!['content-type']).toBe('application/x-protobuf');
        expect(m.value.toString()).toBe(`payload-${m.headers!.seq}`);
      }
    }
    const meta = await admin.fetchTopicMetadata({ topics: [topic, `${topic}_dlq`] });
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([4, 4]);
    await until(async () => (await committedTotal(admin, group, topic)) === sent.length, 10_000, 'offsets committed');
    await sub.close();
  });

  it('redelivers a batch whose handler failed and does not move the committed offset until it succeeds', async () => {
    const topic = uniqueName('cs_alo');
    const group = uniqueName('cs_alo_g');
    const b = bus({ numPartitions: 1 });
    await b.publish(topic, ['a', 'b', 'c'].map((v) => ({ value: Buffer.from(v) })));

    const deliveries: string[][] = [];
    let failuresLeft = 3;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const committedWhileFailing: number[] = [];
    const sub = await b.subscribe(topic, group, async (batch) => {
      deliveries.push(batch.map((m) => m.value.toString()));
      if (failuresLeft > 0) {
        failuresLeft--;
        committedWhileFailing.push(await committedTotal(admin, group, topic));
        if (failuresLeft === 0) await gate; // hold the last failure until we looked at the offsets
        throw new Error('store unavailable');
      }
    });
    await until(() => failuresLeft === 0, 30_000, 'three failed deliveries');
    expect(await committedTotal(admin, group, topic)).toBe(0);
    release();
    await until(async () => (await committedTotal(admin, group, topic)) === 3, 30_000, 'offset committed after success');

    expect(committedWhileFailing).toEqual([0, 0, 0]);
    expect(deliveries.length).toBe(4);
    for (const d of deliveries) expect(d).toEqual(['a', 'b', 'c']);
    expect(sub.handlerFailures).toBe(3);
    await sub.close();
  });

  it('keeps the group membership while a handler runs longer than the session timeout', async () => {
    const topic = uniqueName('cs_slow');
    const group = uniqueName('cs_slow_g');
    const b = bus({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
    await b.publish(topic, [{ value: Buffer.from('slow') }]);
    let calls = 0;
    const sub = await b.subscribe(topic, group, async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 9_000));
    });
    await until(async () => (await committedTotal(admin, group, topic)) === 1, 40_000, 'slow batch committed');
    expect(calls).toBe(1);
    expect(sub.joins).toBe(1);
    await sub.close();
  });

  it('shares partitions between two members of a group and hands them over on close without losing messages', async () => {
    const topic = uniqueName('cs_share');
    const group = uniqueName('cs_share_g');
    const b1 = bus();
    const b2 = bus();
    const seen1 = new Set<string>();
    const seen2 = new Set<string>();
    const publish = async (from: number, count: number) => {
      const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: Buffer.from(`m${from + i}`) }));
      await b1.publish(topic, messages);
    };
    await publish(0, 200);

    const tj = Date.now();
    const s1 = await b1.subscribe(topic, group, async (batch) => batch.forEach((m) => seen1.add(m.value.toString())));
    const join1Ms = Date.now() - tj;
    const tr = Date.now();
    const s2 = await b2.subscribe(topic, group, async (batch) => batch.forEach((m) => seen2.add(m.value.toString())));
    await until(
      () => s1.assignedPartitions().length + s2.assignedPartitions().length === 4 && s2.assignedPartitions().length > 0 && s1.assignedPartitions().length > 0,
      30_000,
      'partitions shared by both members',
    );
    const rebalanceMs = Date.now() - tr;
    expect([...s1.assignedPartitions(), ...s2.assignedPartitions()].sort()).toEqual([0, 1, 2, 3]);

    await publish(200, 200);
    await until(() => new Set([...seen1, ...seen2]).size === 400, 30_000, 'first 400 handled');
    expect(seen1.size).toBeGreaterThan(0);
    expect(seen2.size).toBeGreaterThan(0);

    const tc = Date.now();
    await s1.close();
    await until(() => s2.assignedPartitions().length === 4, 30_000, 'survivor holds all partitions');
    const handoverMs = Date.now() - tc;
    await publish(400, 200);
    await until(() => new Set([...seen1, ...seen2]).size === 600, 30_000, 'all 600 handled');
    const all = new Set([...seen1, ...seen2]);
    for (let i = 0; i < 600; i++) expect(all.has(`m${i}`)).toBe(true);
    await until(async () => (await committedTotal(admin, group, topic)) === 600, 10_000, 'all committed');
    console.log(`group: first join ${join1Ms} ms, second member rebalance ${rebalanceMs} ms, hand-over after close ${handoverMs} ms`);
    await s2.close();
  });

  it('serves two topics in one group (ingest: spans and logs) with every partition of each consumed', async () => {
    const spans = uniqueName('cs_two_spans');
    const logs = uniqueName('cs_two_logs');
    const group = uniqueName('cs_two_g');
    const b = bus();
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`m${i}`) }));
    await b.publish(spans, messages);
    await b.publish(logs, messages);
    const seen = { spans: new Set<string>(), logs: new Set<string>() };
    const s1 = await b.subscribe(spans, group, async (batch) => batch.forEach((m) => seen.spans.add(m.value.toString())));
    const s2 = await b.subscribe(logs, group, async (batch) => batch.forEach((m) => seen.logs.add(m.value.toString())));
    await until(() => seen.spans.size === 40 && seen.logs.size === 40, 30_000, 'both topics fully consumed');
    expect(s1.assignedPartitions()).toEqual([0, 1, 2, 3]);
    expect(s2.assignedPartitions()).toEqual([0, 1, 2, 3]);
    await Promise.all([s1.close(), s2.close()]);
  });

  it('rejects publish with BackendUnavailableError within a bounded time when Kafka is unreachable', async () => {
    const b = bus({ brokers: ['127.0.0.1:1'], requestTimeoutMs: 3_000 });
    await b.start(); // never rejects
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const err = await b.publish(uniqueName('cs_down'), [{ value: Buffer.from('x') }]).then(
        () => null,
        (e: unknown) => e,
      );
      const ms = Date.now() - t0;
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).retriable).toBe(true);
      expect(ms).toBeLessThan(15_000);
      console.log(`unreachable: publish #${i + 1} rejected after ${ms} ms: ${(err as Error).message}`);
    }
    await b.shutdown();
  });

  it('answers 503-style errors during an outage and publishes again once Kafka is back', async () => {
    const sockets = switchableSockets();
    const topic = uniqueName('cs_outage');
    const b = bus({ socketFactory: sockets.factory, requestTimeoutMs: 3_000 });
    await b.publish(topic, [{ value: Buffer.from('before') }]);

    sockets.down();
    const t0 = Date.now();
    const err = await b.publish(topic, [{ value: Buffer.from('during') }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(Date.now() - t0).toBeLessThan(15_000);

    sockets.up();
    const t1 = Date.now();
    await b.publish(topic, [{ value: Buffer.from('after') }]);
    console.log(`outage: rejected after ${t1 - t0} ms, first publish after recovery took ${Date.now() - t1} ms`);

    const got: string[] = [];
    const sub = await b.subscribe(topic, uniqueName('cs_outage_g'), async (batch) => void got.push(...batch.map((m) => m.value.toString())));
    await until(() => got.includes('before') && got.includes('after'), 30_000, 'before/after delivered');
    await sub.close();
  });

  it('a consumer survives losing its connections and goes on delivering once they are back', async () => {
    const sockets = switchableSockets();
    const topic = uniqueName('cs_cons_outage');
    const group = uniqueName('cs_cons_outage_g');
    const producer = bus();
    const consumerLogs: string[] = [];
    const b = bus({ socketFactory: sockets.factory, log: (line) => consumerLogs.push(line) });
    const seen = new Set<string>();
    const sub = await b.subscribe(topic, group, async (batch) => batch.forEach((m) => seen.add(m.value.toString())));
    await producer.publish(topic, [{ value: Buffer.from('before') }]);
    await until(() => seen.has('before'), 30_000, 'first message');

    sockets.down();
    await until(() => consumerLogs.some((l) => /crashed/.test(l)), 60_000, 'consumer crashed on the outage');
    await producer.publish(topic, [{ value: Buffer.from('during') }]);
    const t0 = Date.now();
    sockets.up();
    await producer.publish(topic, [{ value: Buffer.from('after') }]);
    await until(() => seen.has('during') && seen.has('after'), 60_000, 'messages after the outage');
    console.log(`consumer outage: delivering again ${Date.now() - t0} ms after the connections came back; logged: ${consumerLogs.slice(0, 3).join(' | ')}`);
    await sub.close();
  });

  it('shutdown is idempotent and publish afterwards is refused', async () => {
    const b = bus();
    await b.publish(uniqueName('cs_stop'), [{ value: Buffer.from('x') }]);
    await Promise.all([b.shutdown(), b.shutdown()]);
    await b.shutdown();
    await expect(b.publish('whatever', [{ value: Buffer.from('x') }])).rejects.toThrow('shut down');
  });
});
