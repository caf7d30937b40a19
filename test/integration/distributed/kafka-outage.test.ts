import { describeWithEngines } from '../../helpers/engines';
import { startPrivateEngine } from '../../helpers/private-engines';
import { waitFor } from '../../helpers/wait';
import { elapsed, Harness, roleEnv, runNames, sharedEngines, spanStream, withAdmin } from './helpers';

interface Answer {
  status: number;
  retryAfter: string | null;
  ms: number;
}

async function post(otlpUrl: string, body: Buffer): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${otlpUrl}/v1/traces`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-protobuf' },
    signal: AbortSignal.timeout(30_000),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Math.round(performance.now() - t0) };
}

// Needs the shared Kafka only for the scripts' health check (kafkajs); the broker under test is private.
describeWithEngines(['kafka'], 'distributed: Kafka unreachable behind a collector', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 120_000);

  it('answers 200, then 503 with Retry-After while Kafka is down, then 200 again once it is back', harness.withOutputs(async () => {
    const t0 = performance.now();
    const kafka = await startPrivateEngine('kafka', { timeoutMs: 90_000 });
    harness.onDispose(`private kafka in ${kafka.dir}`, () => kafka.destroy());
    const started = elapsed(t0);
    const names = runNames('kafkadown');
    const env = roleEnv(names, { ...sharedEngines(), kafka: kafka.env.KAFKA_BROKERS });
    const body = spanStream(names.service, 1, 10, 1).requests[0];

    const collector = await harness.start('collector', env);
    const ok = await waitFor(async () => {
      const a = await post(collector.otlpUrl, body);
      return a.status === 200 ? a : undefined;
    }, 'a 200 from the collector', 30_000);
    expect(ok.status).toBe(200);
    const topics = await withAdmin(kafka.env.KAFKA_BROKERS, (admin) => admin.listTopics());
    expect(topics).toContain(names.spansTopic);

    const tDown = performance.now();
    await kafka.down();
    const downTook = elapsed(tDown);
    const tRefused = performance.now();
    const refused = await waitFor(async () => {
      const a = await post(collector.otlpUrl, body);
      if (a.status !== 200 && a.status !== 503) throw new Error(`unexpected ${a.status}`);
      return a.status === 503 ? a : undefined;
    }, 'a 503 while Kafka is down', 20_000);
    const refusedAfter = elapsed(tRefused);
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // bounded: the bus gives up on a publish within its request timeout (5 s)
    expect(refused.ms).toBeLessThan(10_000);
    // and it stays that way, still bounded, while Kafka is gone
    const again = await post(collector.otlpUrl, body);
    expect(again.status).toBe(503);
    expect(again.ms).toBeLessThan(10_000);
    expect(collector.alive()).toBe(true);

    const tUp = performance.now();
    await kafka.up();
    const upTook = elapsed(tUp);
    const tBack = performance.now();
    const back = await waitFor(async () => {
      const a = await post(collector.otlpUrl, body);
      return a.status === 200 ? a : undefined;
    }, 'a 200 once Kafka is back', 60_000);
    expect(back.status).toBe(200);
    console.log(
      `kafka-outage: private Kafka up in ${started}; down took ${downTook}; first 503 (Retry-After ${refused.retryAfter}) ` +
        `${refusedAfter} after down, answered in ${refused.ms} ms, next 503 in ${again.ms} ms; up again took ${upTook}; ` +
        `first 200 ${elapsed(tBack)} after up; total ${elapsed(t0)}`,
    );
  }), 300_000);
});
