import { AssignerProtocol } from 'kafkajs';
import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import {
  elapsed,
  expectEverySpanOnce,
  Harness,
  roleEnv,
  runNames,
  sendAll,
  sharedEngines,
  spanStream,
  waitForAllSpans,
  withAdmin,
} from './helpers';

const WRITTEN = 'chainscope_ingest_spans_written_total';

/** Partitions of `topic` each member of the group holds, by client host/id. */
async function assignment(brokers: string, group: string, topic: string): Promise<number[][]> {
  return withAdmin(brokers, async (admin) => {
    const { groups } = await admin.describeGroups([group]);
    return groups[0].members
      .map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])
      .filter((p) => p.length > 0)
      .map((p) => [...p].sort((a, b) => a - b));
  });
}

describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: two ingest workers in one group', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 60_000);

  it('share the partitions; SIGTERM one mid-stream and the other takes its partitions without loss', harness.withOutputs(async () => {
    const t0 = performance.now();
    const engines = sharedEngines();
    const names = runNames('group');
    harness.cleanUpNames(names, engines);
    const env = roleEnv(names, engines);
    const stream = spanStream(names.service, 50, 1000, 50);

    const [collector, a, b] = await Promise.all([harness.start('collector', env), harness.start('ingest', env), harness.start('ingest', env)]);
    // both joined: the spans topic's 4 partitions are split between two members
    const split = await waitFor(async () => {
      const parts = await assignment(engines.kafka, names.group, names.spansTopic);
      return parts.length === 2 ? parts : undefined;
    }, 'both workers to hold spans partitions', 30_000);
    expect(split.flat().sort()).toEqual([0, 1, 2, 3]);

    await sendAll(collector.otlpUrl, stream.requests.slice(0, 25), 4);
    const shares = await waitFor(async () => {
      const [na, nb] = await Promise.all([a.counter(WRITTEN), b.counter(WRITTEN)]);
      return na > 0 && nb > 0 ? [na, nb] : undefined;
    }, 'both workers to write spans', 60_000);

    // more is on its way while worker a leaves
    const sending = sendAll(collector.otlpUrl, stream.requests.slice(25, 35), 4);
    sending.catch(() => undefined);
    const aBeforeStop = await a.counter(WRITTEN);
    const exitCode = await a.proc.stop('SIGTERM');
    expect(exitCode).toBe(0);
    await sending;
    // and the last 15,000 spans come after it left: they can only go through b
    const bWhenAGone = await b.counter(WRITTEN);
    await sendAll(collector.otlpUrl, stream.requests.slice(35), 4);

    const after = await waitFor(async () => {
      const parts = await assignment(engines.kafka, names.group, names.spansTopic);
      return parts.length === 1 && parts[0].length === 4 ? parts : undefined;
    }, 'the remaining worker to hold all 4 spans partitions', 60_000);
    expect(after).toEqual([[0, 1, 2, 3]]);

    const query = await harness.start('query', env);
    await waitForAllSpans(query.url, stream, 120_000);
    const seen = await expectEverySpanOnce(query.url, stream);
    expect(b.alive()).toBe(true);
    const bTotal = await b.counter(WRITTEN);
    expect(bTotal - bWhenAGone).toBeGreaterThanOrEqual(15_000);
    console.log(
      `group-handover: split ${JSON.stringify(split)}; after the first half a wrote ${shares[0]}, b ${shares[1]}; ` +
        `a stopped (exit ${exitCode}) at >= ${aBeforeStop} written; b had ${bWhenAGone} then, ends with ${bTotal} and all partitions; ` +
        `API: ${seen.spans} spans in ${seen.traces} traces, each once; total ${elapsed(t0)}`,
    );
  }), 240_000);
});
