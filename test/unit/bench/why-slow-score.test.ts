import { bottleneckMatches, describeBottleneck, isIntendedWait, scoreByKind, type AnsweredBottleneck, type ScoredOrder } from '../../../bench/why-slow-score';
import { randomFaultPlan } from '../../../bench/why-slow';
import { FAULT_ADDED_MS, FAULT_TARGETS } from '../../../demo/fault-targets';
import { FAULT_KINDS, type GroundTruth } from '../../../demo/faults';

const truth = (kind: GroundTruth['kind'], service: string, operation: string, destination?: string): GroundTruth => ({
  orderId: 'ORD-1',
  faultId: `${kind}-1`,
  kind,
  service,
  operation,
  ...(destination ? { destination } : {}),
  startMs: 0,
  endMs: 1000,
  addedMs: 1000,
});
const span = (service: string, operation: string): AnsweredBottleneck => ({ kind: 'span', service, operation, selfUs: 900_000 });
const wait = (service: string, operation: string, waitKind: string, destination?: string): AnsweredBottleneck => ({
  kind: 'wait',
  service,
  operation,
  waitKind,
  destination,
  selfUs: 900_000,
});

describe('bottleneckMatches', () => {
  const stockLock = truth('dbLock', 'inventory', 'SELECT inventory.stock');
  const slowReservation = truth('latency', 'inventory', 'POST /inventory/reservations');
  const backlog = truth('queueBacklog', 'fulfilment', 'process order-events', 'order-events');
  const crash = truth('consumerCrash', 'scheduler', 'process order-jobs', 'order-jobs');
  it.each<[string, GroundTruth, AnsweredBottleneck | null, boolean]>([
    ['the locked db span', stockLock, span('inventory', 'SELECT inventory.stock'), true],
    ['its caller instead of the db span', stockLock, span('inventory', 'POST /inventory/reservations'), false],
    ['the same operation name on another service', stockLock, span('billing', 'SELECT inventory.stock'), false],
    ['no bottleneck', stockLock, null, false],
    ['the slow server span', slowReservation, span('inventory', 'POST /inventory/reservations'), true],
    ['the client span calling it', slowReservation, span('order-api', 'POST /inventory/reservations'), false],
    ['a wait naming the span that waited', slowReservation, wait('inventory', 'POST /inventory/reservations', 'gap'), false],
    ['an answer without kind (older API) naming the span', slowReservation, { service: 'inventory', operation: 'POST /inventory/reservations' }, true],
    ['the queue wait before the held-back consumer', backlog, wait('fulfilment', 'process order-events', 'queue', 'order-events'), true],
    ['the wait by destination only', backlog, wait('', '', 'queue', 'order-events'), true],
    ['the consumer span itself for a backlog', backlog, span('fulfilment', 'process order-events'), false],
    ['the intended wait of another queue', backlog, wait('scheduler', 'process order-jobs', 'queue', 'order-jobs'), false],
    ['the crashed consumer span', crash, span('scheduler', 'process order-jobs'), true],
    ['the wait before the redelivered consumer', crash, wait('scheduler', 'process order-jobs', 'queue', 'order-jobs'), true],
    ['a downstream call of the consumer', crash, span('billing', 'POST /billing/settlements'), false],
  ])('%s', (_what, t, b, expected) => {
    expect(bottleneckMatches(t, b)).toBe(expected);
  });
});

describe('isIntendedWait', () => {
  const intended = (b: AnsweredBottleneck | null) => isIntendedWait(b, ['order-jobs'], ['process order-jobs']);
  it.each<[string, AnsweredBottleneck | null, boolean]>([
    ['a span', span('notification', 'POST'), false],
    ['no bottleneck', null, false],
    ['a wait classified intended', wait('x', 'y', 'intended'), true],
    ['a queue wait on the scheduled destination', wait('scheduler', 'process order-jobs', 'queue', 'order-jobs'), true],
    ['a gap before the scheduled consumer', wait('scheduler', 'process order-jobs', 'gap'), true],
    ['a queue wait on another destination', wait('fulfilment', 'process order-events', 'queue', 'order-events'), false],
  ])('%s', (_what, b, expected) => {
    expect(intended(b)).toBe(expected);
  });
});

describe('scoreByKind', () => {
  it('gives the share per kind and overall, with the commonest misses first', () => {
    const lock = truth('dbLock', 'inventory', 'SELECT inventory.stock');
    const lat = { ...truth('latency', 'payment', 'POST /payments/authorize'), faultId: 'latency-2' };
    const orders: ScoredOrder[] = [
      { orderId: 'A', truth: lock, bottleneck: span('inventory', 'SELECT inventory.stock'), matched: true },
      { orderId: 'B', truth: lock, bottleneck: span('inventory', 'POST /inventory/reservations'), matched: false },
      { orderId: 'C', truth: lock, bottleneck: span('inventory', 'POST /inventory/reservations'), matched: false },
      { orderId: 'D', truth: lat, bottleneck: null, matched: false },
    ];
    const scores = scoreByKind(orders);
    expect(scores.map((s) => [s.kind, s.faults, s.orders, s.matched])).toEqual([
      ['dbLock', 1, 3, 1],
      ['latency', 1, 1, 0],
      ['all', 2, 4, 1],
    ]);
    expect(scores[0].share).toBeCloseTo(1 / 3);
    expect(scores[0].misses).toEqual([
      { expected: 'inventory SELECT inventory.stock', answered: 'inventory POST /inventory/reservations', count: 2 },
    ]);
    expect(scores[1].misses[0].answered).toBe('(none)');
    expect(scoreByKind([])).toEqual([expect.objectContaining({ kind: 'all', orders: 0, share: NaN })]);
  });

  it('describes waits and spans', () => {
    expect(describeBottleneck(wait('scheduler', 'process order-jobs', 'queue', 'order-jobs'))).toBe('wait(queue order-jobs) before scheduler process order-jobs');
    expect(describeBottleneck(span('payment', 'POST'))).toBe('payment POST');
  });
});

describe('randomFaultPlan', () => {
  it('draws every kind, only known targets, and added times within each kind range', () => {
    let x = 0.123;
    const random = () => (x = (x * 9301 + 0.49297) % 1);
    const plan = randomFaultPlan(300, 3, random);
    expect(new Set(plan.map((p) => p.kind))).toEqual(new Set(FAULT_KINDS));
    expect(new Set(plan.map((p) => p.id)).size).toBe(300);
    for (const p of plan) {
      expect(FAULT_TARGETS[p.kind]).toContainEqual({ service: p.service, operation: p.operation });
      expect(p.maxOrders).toBe(3);
      expect(p.addedMs).toBeGreaterThanOrEqual(FAULT_ADDED_MS[p.kind][0]);
      expect(p.addedMs).toBeLessThanOrEqual(FAULT_ADDED_MS[p.kind][1]);
    }
  });
});
