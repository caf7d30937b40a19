import { Counters } from '../../../../core/metrics';
import { CounterDeltaReader, CounterDeltaWriter, type CounterDeltas } from '../../../../ingest/thread/counter-deltas';

/** Through structuredClone with the buffers transferred, as postMessage carries them. */
function overTheWire(taken: { deltas: CounterDeltas; transfer: ArrayBuffer[] }): CounterDeltas {
  return structuredClone(taken.deltas, { transfer: taken.transfer });
}

describe('counter deltas from a thread to its owner', () => {
  it('adds up to the thread\'s counters, naming each series once', () => {
    const thread = new Counters();
    const owner = new Counters();
    owner.add('already_there_total', 5);
    const writer = new CounterDeltaWriter();
    const reader = new CounterDeltaReader();
    thread.add('a_total', 3);
    thread.add('b{x="\\"é"}', 0.25);
    const first = overTheWire(writer.take(thread));
    expect(first.names).toEqual(['a_total', 'b{x="\\"é"}']);
    reader.addTo(owner, first);
    thread.add('b{x="\\"é"}', 1);
    thread.add('c_total', 0);
    thread.add('d_total', 2);
    const second = overTheWire(writer.take(thread));
    expect(second.names).toEqual(['c_total', 'd_total']);
    expect([...second.series]).toEqual([1, 3]);
    reader.addTo(owner, second);
    const third = overTheWire(writer.take(thread));
    expect(third.series.length).toBe(0);
    reader.addTo(owner, third);
    expect(owner.snapshot()).toEqual({ already_there_total: 5, a_total: 3, 'b{x="\\"é"}': 1.25, d_total: 2 });
  });

  it('starts again with a new reader for a restarted thread', () => {
    const owner = new Counters();
    for (const run of [1, 2]) {
      const thread = new Counters();
      thread.add(`only_in_run_${run}_total`, run);
      thread.add('shared_total', 10);
      new CounterDeltaReader().addTo(owner, overTheWire(new CounterDeltaWriter().take(thread)));
    }
    expect(owner.snapshot()).toEqual({ only_in_run_1_total: 1, only_in_run_2_total: 2, shared_total: 20 });
  });
});
