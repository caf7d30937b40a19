import type { Counters } from '../../core/metrics';

/**
 * How much a thread's counters grew since its last report: each series is
 * named once (in the report where it first appears, in index order), then
 * referred to by index, and the numbers travel as transferred typed arrays.
 * A thread with the span metrics on has thousands of series; posting them
 * as an object keyed by name cost a structured clone of every name per batch.
 */
export interface CounterDeltas {
  /** Names of the series new since the last report; they take the next indices. */
  names: string[];
  series: Uint32Array;
  deltas: Float64Array;
}

/** The thread's side: what grew since the last `take`. */
export class CounterDeltaWriter {
  private readonly sent = new Map<string, { index: number; value: number }>();

  take(counters: Counters): { deltas: CounterDeltas; transfer: ArrayBuffer[] } {
    const names: string[] = [];
    const series: number[] = [];
    const deltas: number[] = [];
    for (const [name, value] of counters.entries()) {
      let last = this.sent.get(name);
      if (!last) {
        last = { index: this.sent.size, value: 0 };
        this.sent.set(name, last);
        names.push(name);
      }
      if (value === last.value) continue;
      series.push(last.index);
      deltas.push(value - last.value);
      last.value = value;
    }
    const packed: CounterDeltas = { names, series: Uint32Array.from(series), deltas: Float64Array.from(deltas) };
    return { deltas: packed, transfer: [packed.series.buffer as ArrayBuffer, packed.deltas.buffer as ArrayBuffer] };
  }
}

/** The owner's side, one per thread it started (a restarted thread names its series again). */
export class CounterDeltaReader {
  private readonly names: string[] = [];

  addTo(counters: Counters, deltas: CounterDeltas): void {
    for (const name of deltas.names) this.names.push(name);
    for (let i = 0; i < deltas.series.length; i++) counters.add(this.names[deltas.series[i]], deltas.deltas[i]);
  }
}
