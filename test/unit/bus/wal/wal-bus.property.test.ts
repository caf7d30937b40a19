import fs from 'node:fs';
import fc from 'fast-check';
import type { WalBus } from '../../../../bus/wal';
import { crashCopy, openBus, tempDir, until } from './wal-test-kit';

/**
 * Any interleaving of publishes (one at a time and concurrent), consumer
 * failures, clean reopens and crashes (the folder copied as it is on disk,
 * the old instance abandoned) delivers every acknowledged message at least
 * once, and each run of a group reads its topic in order from a point no
 * later than where the earlier runs stopped (no gaps).
 */
const TOPICS = ['a', 'b'] as const;
type Topic = (typeof TOPICS)[number];

type Command =
  | { kind: 'publish'; topic: Topic; count: number; size: number }
  | { kind: 'burst'; topic: Topic; count: number }
  | { kind: 'settle' }
  | { kind: 'fail'; on: boolean }
  | { kind: 'crash' }
  | { kind: 'reopen' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('publish' as const), topic: fc.constantFrom(...TOPICS), count: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 0, max: 900 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burst' as const), topic: fc.constantFrom(...TOPICS), count: fc.integer({ min: 2, max: 12 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

interface Delivery {
  run: number;
  seq: number;
}

async function scenario(commands: Command[], positionFlushMs: number, segmentBytes: number): Promise<void> {
  const dirs: string[] = [];
  const options = { maxBytes: 1 << 20, segmentBytes, positionFlushMs, retryBaseMs: 1, retryCapMs: 10, drainGiveUpAfterFailingMs: 20 };
  let dir = tempDir();
  dirs.push(dir);
  const acked: Record<Topic, number[]> = { a: [], b: [] };
  const nextSeq: Record<Topic, number> = { a: 0, b: 0 };
  const delivered: Record<Topic, Delivery[]> = { a: [], b: [] };
  let failing = false;
  let run = 0;
  let bus: WalBus;

  const open = async () => {
    const thisRun = ++run;
    bus = await openBus(dir, options);
    for (const topic of TOPICS) {
      await bus.subscribe(topic, 'g', async (batch) => {
        // an abandoned (crashed) instance's handler never succeeds again
        if (failing || thisRun !== run) throw new Error('handler failing');
        for (const m of batch) delivered[topic].push({ run: thisRun, seq: Number(m.value.toString().split(':')[1]) });
      });
    }
  };
  const publishOne = async (topic: Topic, size: number) => {
    const seq = nextSeq[topic]++;
    await bus.publish(topic, [{ value: Buffer.from(`${topic}:${seq}:${'p'.repeat(size)}`) }]);
    acked[topic].push(seq);
  };

  try {
    await open();
    for (const c of commands) {
      if (c.kind === 'publish') {
        for (let i = 0; i < c.count; i++) await publishOne(c.topic, c.size);
      } else if (c.kind === 'burst') {
        // all called at once: appended in call order, acknowledged together
        const seqs = Array.from({ length: c.count }, () => nextSeq[c.topic]++);
        await Promise.all(seqs.map((seq) => bus.publish(c.topic, [{ value: Buffer.from(`${c.topic}:${seq}:`) }])));
        acked[c.topic].push(...seqs);
      } else if (c.kind === 'settle') {
        if (!failing) await until(() => bus.drained(), 'drained');
      } else if (c.kind === 'fail') {
        failing = c.on;
      } else if (c.kind === 'crash') {
        const old = bus;
        dir = crashCopy(dir);
        dirs.push(dir);
        run++; // the old instance's handlers fail from now on
        await old.shutdown();
        await open();
      } else {
        await bus.shutdown();
        await open();
      }
    }
    failing = false;
    await bus.shutdown();
    await open();
    await until(() => bus.drained(), 'final drain');
    await bus.shutdown();

    for (const topic of TOPICS) {
      const seen = new Set(delivered[topic].map((d) => d.seq));
      for (const seq of acked[topic]) if (!seen.has(seq)) throw new Error(`${topic}:${seq} acknowledged but never delivered`);
      // in order within a run, and no run starts past where the earlier ones got
      let highest = -1;
      let previous: Delivery | null = null;
      for (const d of delivered[topic]) {
        if (previous && previous.run === d.run) {
          if (d.seq !== previous.seq + 1) throw new Error(`${topic}: run ${d.run} went from ${previous.seq} to ${d.seq}`);
        } else if (d.seq > highest + 1) {
          throw new Error(`${topic}: run ${d.run} started at ${d.seq} though only up to ${highest} was delivered before`);
        }
        highest = Math.max(highest, d.seq);
        previous = d;
      }
    }
  } finally {
    await bus!?.shutdown();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

describe('WalBus under any interleaving of publish, consume, failure, reopen and crash', () => {
  it('delivers every acknowledged message at least once, in order per topic, without gaps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40, size: 'medium' }), fc.integer({ min: 1, max: 50 }), fc.constantFrom(1024, 4096, 65536), (commands, flushMs, segmentBytes) =>
        scenario(commands, flushMs, segmentBytes),
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
