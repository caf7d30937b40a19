import { describeWithEngines } from '../../helpers/engines';
import { startPrivateEngine } from '../../helpers/private-engines';
import { waitFor } from '../../helpers/wait';
import {
  committedOffsets,
  elapsed,
  expectPositionHeld,
  expectEverySpanOnce,
  Harness,
  roleEnv,
  runNames,
  sendAll,
  sharedEngines,
  sumOffsets,
  spanStream,
  waitForAllSpans,
  topicEnd,
} from './helpers';

const WRITTEN = 'chainscope_ingest_spans_written_total';

describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: the span store stops during ingest', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 120_000);

  it('a private ClickHouse stopped mid-stream: ingest keeps running, commits nothing, and catches up exactly once after', harness.withOutputs(async () => {
    const t0 = performance.now();
    const clickhouse = await startPrivateEngine('clickhouse', { timeoutMs: 60_000 });
    harness.onDispose(`private clickhouse in ${clickhouse.dir}`, () => clickhouse.destroy());
    const engines = { ...sharedEngines(), clickhouse: clickhouse.env.CLICKHOUSE_URL };
    const names = runNames('chdown');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    const stream = spanStream(names.service, 40, 1000, 40);

    const [collector, ingest] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    // first half in and written, then the store goes, then the second half arrives
    const half = stream.requests.length / 2;
    await sendAll(collector.otlpUrl, stream.requests.slice(0, half), 2);
    const beforeDown = await waitFor(
      async () => {
        const n = await ingest.counter(WRITTEN);
        return n >= stream.total / 2 ? n : undefined;
      },
      'ingest to write the first half',
      60_000,
    );
    const tDown = performance.now();
    await clickhouse.down();
    const downTook = elapsed(tDown);
    await sendAll(collector.otlpUrl, stream.requests.slice(half), 2); // the collector does not depend on the span store

    // a failed write seen, then the position held while four more redeliveries (with backoff) fail
    const { written, committed, firstRetry, retries, heldFor } = await expectPositionHeld(ingest, engines.kafka, names.group, names.spansTopic, WRITTEN, {
      firstRetryMs: 30_000,
      retriesMs: 60_000,
    });
    expect(written).toBe(beforeDown);
    expect(ingest.alive()).toBe(true);
    expect((await fetch(`${ingest.url}/health`)).status).toBe(200);

    const tUp = performance.now();
    await clickhouse.up();
    const upTook = elapsed(tUp);
    const query = await harness.start('query', env);
    await waitForAllSpans(query.url, stream, 120_000);
    const caughtUp = elapsed(tUp);
    const seen = await expectEverySpanOnce(query.url, stream);

    // and the group's position reaches the end of the topic
    const end = await topicEnd(engines.kafka, names.spansTopic);
    await waitFor(async () => sumOffsets(await committedOffsets(engines.kafka, names.group, names.spansTopic)) === end, 'committed offsets to reach the end', 30_000);
    expect(ingest.alive()).toBe(true);
    console.log(
      `span-store-outage: ClickHouse stopped after ${beforeDown} spans written (down took ${downTook}); ` +
        `held at ${written} written and ${sumOffsets(committed)} committed messages for ${heldFor} (${retries - firstRetry + 1} failed deliveries); ` +
        `up again in ${upTook}; all ${seen.spans} spans once ${caughtUp} after up; ingest wrote ${await ingest.counter(WRITTEN)} in all; total ${elapsed(t0)}`,
    );
  }), 300_000);
});
