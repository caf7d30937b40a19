/**
 * The demo's fault switchboard: faults switched on and off at run time (env
 * DEMO_FAULTS, the /_demo/faults control endpoint, or code), each acting on one
 * service and operation of chosen orders, and the ground truth of every order a
 * fault actually touched, appended as one JSON line per order to a file of its
 * own. Only the bench and tests read that file; the analysis never does (it
 * sees nothing but the telemetry).
 */
import fs from 'node:fs';

export const FAULT_KINDS = ['latency', 'error', 'dbLock', 'slowExternal', 'queueBacklog', 'consumerCrash'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** Names the fault in the ground truth; made up when absent. */
  id?: string;
  kind: FaultKind;
  /** Service whose span the fault lengthens (for queue faults: the consuming service). */
  service: string;
  /**
   * Span name the fault acts on: a SERVER span (`POST /inventory/reservations`) for latency and
   * error, a database CLIENT span (`SELECT inventory.stock`) for dbLock, an external CLIENT span
   * (`POST`) for slowExternal, the consumer span (`process order-events`) for queue faults.
   */
  operation: string;
  /** Time the fault adds (latency, lock, slow call, backlog, redelivery delay; for error: time until the failure). */
  addedMs: number;
  /** Share of eligible orders hit, 0–1. Default 1. */
  rate?: number;
  /** Stop after this many orders were hit. Default: no limit. */
  maxOrders?: number;
  /**
   * Only orders whose id hashes to slot `index` of `of` are eligible (see orderSlot): faults
   * running at the same time in different slots never touch the same order, in any process.
   */
  slot?: { index: number; of: number };
}

/** One line of the ground-truth file: what was done to one order. */
export interface GroundTruth {
  orderId: string;
  faultId: string;
  kind: FaultKind;
  service: string;
  operation: string;
  /** Queue faults: the destination the message waited on. */
  destination?: string;
  /** Wall-clock ms when the injected delay started and ended in the process that injected it. */
  startMs: number;
  endMs: number;
  addedMs: number;
}

interface ActiveFault {
  spec: Required<Omit<FaultSpec, 'slot'>> & Pick<FaultSpec, 'slot'>;
  hit: number;
  /** Orders already hit (a fault acts once per order), bounded by maxOrders or MAX_REMEMBERED_ORDERS. */
  orders: Set<string>;
}

const MAX_ACTIVE_FAULTS = 64;
const MAX_ADDED_MS = 60_000;
const MAX_REMEMBERED_ORDERS = 10_000;

/** FNV-1a of the order id, modulo `of`: the same slot in every process. */
export function orderSlot(orderId: string, of: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    h ^= orderId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % of;
}

/** Checks a spec from outside (env, control endpoint); throws an Error naming the bad field. */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('a fault must be a JSON object');
  const o = input as Record<string, unknown>;
  const text = (name: string, max = 200): string => {
    const v = o[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new Error(`${name} must be a non-empty string of at most ${max} characters`);
    return v;
  };
  if (!FAULT_KINDS.includes(o.kind as FaultKind)) throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const addedMs = Number(o.addedMs);
  if (!Number.isFinite(addedMs) || addedMs < 0 || addedMs > MAX_ADDED_MS) throw new Error(`addedMs must be a number from 0 to ${MAX_ADDED_MS}`);
  const spec: FaultSpec = { kind: o.kind as FaultKind, service: text('service'), operation: text('operation'), addedMs };
  if (o.id !== undefined) spec.id = text('id', 100);
  if (o.rate !== undefined) {
    const rate = Number(o.rate);
    if (!(rate >= 0 && rate <= 1)) throw new Error('rate must be a number from 0 to 1');
    spec.rate = rate;
  }
  if (o.maxOrders !== undefined) {
    const n = Number(o.maxOrders);
    if (!Number.isInteger(n) || n < 1 || n > MAX_REMEMBERED_ORDERS) throw new Error(`maxOrders must be a whole number from 1 to ${MAX_REMEMBERED_ORDERS}`);
    spec.maxOrders = n;
  }
  if (o.slot !== undefined) {
    const s = o.slot as Record<string, unknown> | null;
    const index = Number(s?.index);
    const of = Number(s?.of);
    if (!Number.isInteger(of) || of < 1 || of > 1000 || !Number.isInteger(index) || index < 0 || index >= of) {
      throw new Error('slot must be {index, of} with whole numbers 0 ≤ index < of ≤ 1000');
    }
    spec.slot = { index, of };
  }
  return spec;
}

/** A fault that fires for one order: how long to add, and how to record what was done. */
export interface FaultHit {
  addedMs: number;
  /** Appends the ground-truth line (call when the injected delay is over). */
  record(startMs: number, endMs: number, destination?: string): void;
}

export class FaultSwitchboard {
  private readonly active = new Map<string, ActiveFault>();
  private seq = 0;
  /** Lines that could not be written (the file's folder went away, disk full). */
  groundTruthWriteErrors = 0;

  constructor(
    /** Where ground truth lines go; without it hits are not recorded. */
    private readonly groundTruthFile?: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Switches a fault on (replacing one with the same id); returns its id. */
  set(spec: FaultSpec): string {
    const id = spec.id ?? `${spec.service}:${spec.kind}:${++this.seq}`;
    if (!this.active.has(id) && this.active.size >= MAX_ACTIVE_FAULTS) throw new Error(`at most ${MAX_ACTIVE_FAULTS} faults can be on at once`);
    this.active.set(id, {
      spec: { ...spec, id, rate: spec.rate ?? 1, maxOrders: spec.maxOrders ?? Infinity },
      hit: 0,
      orders: new Set(),
    });
    return id;
  }

  /** Switches one fault off; false when it was not on. */
  clear(id: string): boolean {
    return this.active.delete(id);
  }

  clearAll(): void {
    this.active.clear();
  }

  /** The faults that are on, with how many orders each has hit. */
  list(): (FaultSpec & { id: string; hit: number })[] {
    return [...this.active.values()].map((f) => ({
      ...f.spec,
      maxOrders: Number.isFinite(f.spec.maxOrders) ? f.spec.maxOrders : undefined,
      hit: f.hit,
    }));
  }

  /**
   * The fault of `kind` on this service and operation that fires for this order now,
   * or undefined. A fault fires at most once per order and at most maxOrders times;
   * the first matching fault wins.
   */
  take(kind: FaultKind, service: string, operation: string, orderId: string | undefined): FaultHit | undefined {
    if (orderId === undefined || this.active.size === 0) return undefined;
    for (const f of this.active.values()) {
      const s = f.spec;
      if (s.kind !== kind || s.service !== service || s.operation !== operation) continue;
      if (f.hit >= s.maxOrders || f.orders.has(orderId)) continue;
      if (s.slot && orderSlot(orderId, s.slot.of) !== s.slot.index) continue;
      if (s.rate < 1 && this.random() >= s.rate) continue;
      f.hit++;
      if (f.orders.size >= MAX_REMEMBERED_ORDERS) f.orders.clear();
      f.orders.add(orderId);
      return {
        addedMs: s.addedMs,
        record: (startMs, endMs, destination) =>
          this.write({
            orderId,
            faultId: s.id,
            kind,
            service,
            operation,
            ...(destination ? { destination } : {}),
            startMs,
            endMs,
            addedMs: s.addedMs,
          }),
      };
    }
    return undefined;
  }

  private write(line: GroundTruth): void {
    if (!this.groundTruthFile) return;
    try {
      // One append per line (O_APPEND): lines from several demo processes never interleave.
      fs.appendFileSync(this.groundTruthFile, `${JSON.stringify(line)}\n`);
    } catch {
      this.groundTruthWriteErrors++;
    }
  }
}

/** Reads a ground-truth file (bench and tests only); a torn last line is skipped. */
export function readGroundTruth(file: string): GroundTruth[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: GroundTruth[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as GroundTruth);
    } catch {
      /* a line being written right now */
    }
  }
  return out;
}

/** DEMO_FAULTS: a JSON array of fault specs (or one spec). */
export function faultsFromEnv(value: string | undefined): FaultSpec[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new Error(`DEMO_FAULTS is not JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item, i) => {
    try {
      return parseFaultSpec(item);
    } catch (err) {
      throw new Error(`DEMO_FAULTS[${i}]: ${(err as Error).message}`);
    }
  });
}
