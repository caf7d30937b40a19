import { SEARCH_COUNTERS } from '../../../storage/search';
import { describeWithEngines } from '../../helpers/engines';
import { startPrivateEngine } from '../../helpers/private-engines';
import { waitFor } from '../../helpers/wait';
import {
  committedOffsets,
  elapsed,
  expectPositionHeld,
  Harness,
  logStream,
  roleEnv,
  runNames,
  sendAll,
  sharedEngines,
  sumOffsets,
  topicEnd,
} from './helpers';

const WRITTEN = 'chainscope_ingest_logs_written_total';
const DEAD_LETTERED = 'chainscope_ingest_dead_lettered_total';

/** A request straight to the private OpenSearch (the verdict on ids is read from the engine itself). */
async function openSearch<T>(url: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** Documents matching `query` in `index` (0 when the index does not exist). */
async function countDocs(url: string, index: string, query: unknown = { match_all: {} }): Promise<number> {
  const { status, json } = await openSearch<{ count?: number }>(url, `/${index}/_count?ignore_unavailable=true&allow_no_indices=true`, { query });
  if (status === 404) return 0;
  if (status !== 200 || typeof json.count !== 'number') throw new Error(`_count on ${index} answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
  return json.count;
}


describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: the log store stops during ingest', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 120_000);

  it('a private OpenSearch stopped mid-stream: ingest holds the logs offsets, dead-letters nothing, and stores every record once after', harness.withOutputs(async () => {
    const t0 = performance.now();
    const opensearch = await startPrivateEngine('opensearch', { timeoutMs: 150_000 });
    harness.onDispose(`private opensearch in ${opensearch.dir}`, () => opensearch.destroy());
    const firstUp = elapsed(t0);
    const osUrl = opensearch.env.OPENSEARCH_URL;
    const engines = { ...sharedEngines(), opensearch: osUrl };
    const names = runNames('osdown');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    const stream = logStream(names.service, 10_000, 40);
    const dailyIndices = `${names.indexPrefix}-*.*.*`;
    const dlqIndex = `${names.indexPrefix}-dlq`;

    const [collector, ingest] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    // first half in and written, then the store goes, then the second half arrives
    const half = stream.requests.length / 2;
    await sendAll(collector.otlpUrl, stream.requests.slice(0, half), 2, undefined, 'logs');
    const beforeDown = await waitFor(
      async () => {
        const n = await ingest.counter(WRITTEN);
        return n >= stream.total / 2 ? n : undefined;
      },
      'ingest to write the first half',
      60_000,
    );
    const firstHalfEnd = await topicEnd(engines.kafka, names.logsTopic);
    await waitFor(async () => sumOffsets(await committedOffsets(engines.kafka, names.group, names.logsTopic)) === firstHalfEnd, 'the first half committed', 30_000);

    const tDown = performance.now();
    await opensearch.down();
    const downTook = elapsed(tDown);
    await sendAll(collector.otlpUrl, stream.requests.slice(half), 2, undefined, 'logs'); // the collector does not depend on the log store
    const fullEnd = await topicEnd(engines.kafka, names.logsTopic);
    expect(fullEnd).toBeGreaterThan(firstHalfEnd);

    // a failed write seen, then the position held while four more redeliveries (with backoff) fail:
    // not one offset past the records written before the outage
    const { written, committed, firstRetry, retries, heldFor } = await expectPositionHeld(ingest, engines.kafka, names.group, names.logsTopic, WRITTEN, {
      firstRetryMs: 60_000,
      retriesMs: 90_000,
    });
    expect(written).toBe(beforeDown);
    expect(sumOffsets(committed)).toBe(firstHalfEnd);
    // unavailability is not a refusal: nothing dead-lettered
    expect(await ingest.counter(DEAD_LETTERED)).toBe(0);
    expect(await topicEnd(engines.kafka, `${names.logsTopic}_dlq`)).toBe(0);
    expect(ingest.alive()).toBe(true);
    expect((await fetch(`${ingest.url}/health`)).status).toBe(200);

    const tUp = performance.now();
    await opensearch.up();
    const upTook = elapsed(tUp);
    await waitFor(async () => (await ingest.counter(WRITTEN)) > written, 'ingest to write again', 60_000);
    const firstWrite = elapsed(tUp);
    await waitFor(async () => (await ingest.counter(WRITTEN)) >= stream.total, 'ingest to count every record written', 120_000);
    const allWritten = elapsed(tUp);
    let stored = 0;
    try {
      await waitFor(
        async () => {
          await openSearch(osUrl, `/${dailyIndices}/_refresh`, {});
          stored = await countDocs(osUrl, dailyIndices);
          if (stored > stream.total) throw new Error(`${stored} documents, more than the ${stream.total} sent`);
          return stored === stream.total;
        },
        `${stream.total} log documents in the private OpenSearch`,
        120_000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message} (last count: ${stored})`);
    }
    const caughtUp = elapsed(tUp);

    // exactly once: as many documents as records, and every one of them is an expected id
    const ids = [...stream.ids];
    expect(await countDocs(osUrl, dailyIndices, { ids: { values: ids } })).toBe(stream.total);
    expect(await countDocs(osUrl, dailyIndices)).toBe(stream.total);
    expect(await countDocs(osUrl, dlqIndex)).toBe(0);

    // the same through the query API: the histogram counts every record (search totals stop at 10,000)
    const query = await harness.start('query', env);
    const histogram = await fetch(`${query.url}/api/logs/histogram?service=${encodeURIComponent(stream.service)}`).then(
      (r) => r.json() as Promise<{ buckets: { total: number }[] }>,
    );
    expect(histogram.buckets.reduce((a, b) => a + b.total, 0)).toBe(stream.total);

    // the search store's own counters reach ingest's /metrics (from the ingest thread): each record created once, replays answered as duplicates
    expect(await ingest.counter(SEARCH_COUNTERS.written)).toBe(stream.total);
    expect(await ingest.counter(SEARCH_COUNTERS.deadLettered)).toBe(0);

    // and the group's position reaches the end of the topic, still with nothing dead-lettered
    await waitFor(async () => sumOffsets(await committedOffsets(engines.kafka, names.group, names.logsTopic)) === fullEnd, 'committed offsets to reach the end', 30_000);
    expect(await ingest.counter(DEAD_LETTERED)).toBe(0);
    expect(await topicEnd(engines.kafka, `${names.logsTopic}_dlq`)).toBe(0);
    expect(ingest.alive()).toBe(true);
    console.log(
      `log-store-outage: private OpenSearch up in ${firstUp}; stopped after ${beforeDown} records written (down took ${downTook}); ` +
        `held at ${written} written and ${sumOffsets(committed)} of ${fullEnd} messages committed for ${heldFor} (${retries - firstRetry + 1} failed deliveries); ` +
        `up again in ${upTook}, first write ${firstWrite} after up, all written ${allWritten} after up; all ${stream.total} records once ${caughtUp} after up; ingest counted ${await ingest.counter(WRITTEN)} written (replayed records included); total ${elapsed(t0)}`,
    );
  }), 480_000);
});
