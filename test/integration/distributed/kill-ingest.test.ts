import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import {
  elapsed,
  expectEverySpanOnce,
  Harness,
  rawSpanRows,
  roleEnv,
  runNames,
  sendAll,
  sharedEngines,
  spanStream,
  waitForAllSpans,
} from './helpers';

const WRITTEN = 'chainscope_ingest_spans_written_total';

describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: an ingest worker killed mid-stream', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 60_000);

  it('SIGKILL during a 100,000-span stream, restart: every span is there exactly once', harness.withOutputs(async () => {
    const t0 = performance.now();
    const engines = sharedEngines();
    const names = runNames('kill');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    // 100 requests × 1000 spans, each request holding 10 spans of each of 100 traces
    const stream = spanStream(names.service, 100, 1000, 100);

    const [collector, ingest] = await Promise.all([harness.start('collector', env), harness.start('ingest', env)]);
    const sending = sendAll(collector.otlpUrl, stream.requests, 4);
    sending.catch(() => undefined);

    // kill it once it has written a fair part, well before the end
    const before = await waitFor(
      async () => {
        const n = await ingest.counter(WRITTEN);
        return n >= 20_000 ? n : undefined;
      },
      'the first ingest worker to write 20,000 spans',
      90_000,
    );
    await ingest.proc.stop('SIGKILL');
    expect(before).toBeLessThan(stream.total);
    await sending;
    const killedAt = elapsed(t0);

    const restarted = await harness.start('ingest', env);
    const query = await harness.start('query', env);
    await waitForAllSpans(query.url, stream, 150_000);
    const seen = await expectEverySpanOnce(query.url, stream);
    expect(seen).toEqual({ traces: 100, spans: 100_000 });
    expect(restarted.alive()).toBe(true);

    const rewritten = await restarted.counter(WRITTEN);
    const raw = await rawSpanRows(engines.clickhouse, names.database);
    console.log(
      `kill-ingest: killed after ${before} spans written (${killedAt}); the restarted worker wrote ${rewritten} ` +
        `(at least ${before + rewritten - stream.total} written twice); spans table holds ${raw} rows before merges; ` +
        `API: ${seen.spans} spans in ${seen.traces} traces, each once; total ${elapsed(t0)}`,
    );
    // at least once underneath: the restarted worker wrote everything that had not been committed
    expect(before + rewritten).toBeGreaterThanOrEqual(stream.total);
  }), 300_000);
});
