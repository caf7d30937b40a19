import { chainProfile, compareChains, compareProfiles, median, profileFailed, typicalProfile } from '../../../../core/analysis/chain-compare';
import { comparableOrder } from '../../../helpers/comparable-order';
import type { OrderSpec } from '../../../helpers/chain-orders';

const order = comparableOrder;

const ms = 1000;

describe('chain comparison', () => {
  it('gives every row a delta of 0 and no explaining hop for two equal orders', () => {
    const c = compareChains(order(), order());
    expect(c.duration.deltaUs).toBe(0);
    expect(c.sameStages).toBe(true);
    expect(c.top).toBeNull();
    expect(c.stages.map((r) => r.label)).toEqual([
      'order-api: POST /orders',
      'fulfilment: process order-events',
      'scheduler: process order-jobs',
    ]);
    for (const row of [...c.stages, ...c.hops]) {
      expect(row.deltaUs).toBe(0);
      expect(row.onlyIn).toBeUndefined();
    }
  });

  it('makes stages + waits and operations + waits add up to the duration', () => {
    const p = chainProfile(order({ paymentMs: 300, queueMs: 40 }));
    const sum = (kinds: string[]) => p.rows.filter((r) => kinds.includes(r.kind)).reduce((n, r) => n + r.us, 0);
    expect(sum(['stage', 'wait'])).toBe(p.durationUs);
    expect(sum(['operation', 'wait'])).toBe(p.durationUs);
    expect(p.workingUs + p.waitingUs).toBe(p.durationUs);
  });

  // one slower part of the journey against the same order without it: the hop named first, with the time it added
  const cases: Array<{ name: string; slow: Partial<OrderSpec>; top: string; kind: string; deltaUs: number; stage: string }> = [
    { name: 'a slower payment call', slow: { paymentMs: 900 }, top: 'payment POST /payments/charge', kind: 'operation', deltaUs: 860 * ms, stage: 'order-api: POST /orders' },
    { name: 'a longer queue wait', slow: { queueMs: 1500 }, top: 'wait (queue order-events) before fulfilment process order-events', kind: 'wait', deltaUs: 1497 * ms, stage: 'fulfilment: process order-events' },
  ];
  it.each(cases)('names $name first', ({ slow, top, kind, deltaUs, stage }) => {
    const c = compareChains(order(slow), order());
    expect(c.top).toMatchObject({ label: top, kind, deltaUs, stage });
    expect(c.hops[0]).toBe(c.top);
    expect(c.duration.deltaUs).toBe(deltaUs);
    // the stage that held the slower hop differs; a wait moves no stage
    const changed = c.stages.filter((r) => r.deltaUs !== 0).map((r) => r.label);
    expect(changed).toEqual(kind === 'wait' ? [] : [stage]);
    // compared the other way round, the same hop explains why b was slower
    const back = compareChains(order(), order(slow));
    expect(back.top).toMatchObject({ label: top, deltaUs: -deltaUs });
  });

  it('shows a longer intended delay but never names it as the explanation', () => {
    const c = compareChains(order({ delayMs: 2000, paymentMs: 100 }), order({ delayMs: 500 }));
    expect(c.hops[1]).toMatchObject({ kind: 'wait', waitKind: 'intended', intended: true, deltaUs: 1500 * ms });
    expect(c.top).toMatchObject({ label: 'payment POST /payments/charge', deltaUs: 60 * ms });
  });

  it('names the slower step when the intended delay after it shrank by more than it grew', () => {
    // a scheduled job runs at its time: the late payment ate into the settlement delay
    const c = compareChains(order({ paymentMs: 900, delayMs: 200 }), order({ delayMs: 1500 }));
    expect(c.duration.deltaUs).toBeLessThan(0);
    expect(c.top).toMatchObject({ label: 'payment POST /payments/charge', deltaUs: 860 * ms });
    // without the intended delay in the way, a faster order is still explained by its fastest step
    const faster = compareChains(order({ delayMs: 1500 }), order({ paymentMs: 900, delayMs: 1500 }));
    expect(faster.top).toMatchObject({ label: 'payment POST /payments/charge', deltaUs: -860 * ms });
  });

  it('tells a failed profile from a healthy one', () => {
    expect(profileFailed(chainProfile(order({ error: true })))).toBe(true);
    expect(profileFailed(chainProfile(order()))).toBe(false);
  });

  it('explains a failed order by where its error started, not by the steps it ran faster or skipped', () => {
    const failed = order({ error: true, paymentMs: 10 });
    // the caller of the failed call failed too: the error started below it
    const withFailedCaller = {
      ...failed,
      spans: failed.spans.map((s) => (s.service === 'scheduler' ? { ...s, status: { code: 'error', message: 'notification failed' } } : s)),
    };
    const typical = typicalProfile([order(), order({ paymentMs: 60 }), order({ paymentMs: 45 })].map(chainProfile))!;
    const c = compareProfiles(chainProfile(withFailedCaller), typical);
    expect(c.duration.deltaUs).toBeLessThan(0);
    expect(c.top).toMatchObject({ label: 'notification POST /notifications', aErrors: 1, bErrors: 0 });
    expect(c.hops[0]).toBe(c.top);
    expect(c.hops.find((r) => r.label === 'scheduler process order-jobs')?.aErrors).toBeUndefined();
    // a typical order that fails the same way explains nothing by the error
    const alsoFailing = typicalProfile([order({ error: true }), order({ error: true }), order()].map(chainProfile))!;
    expect(compareProfiles(chainProfile(failed), alsoFailing).top?.label).not.toBe('notification POST /notifications');
  });

  it('sorts hops by |delta| after the explaining one', () => {
    const c = compareChains(order({ paymentMs: 500, queueMs: 200 }), order({ paymentMs: 40, queueMs: 3 }));
    const magnitudes = c.hops.slice(1).map((r) => Math.abs(r.deltaUs));
    expect(magnitudes).toEqual([...magnitudes].sort((x, y) => y - x));
    expect(c.top?.label).toBe('payment POST /payments/charge');
  });

  it('keeps a stage and hops that only one order has, with 0 on the other side', () => {
    // without the scheduler trace: a chain that stopped after fulfilment
    const short = order({ drop: (s) => s.service === 'scheduler' || s.service === 'billing' || s.service === 'notification' });
    const c = compareChains(order(), short);
    expect(c.sameStages).toBe(false);
    const scheduler = c.stages.find((r) => r.label === 'scheduler: process order-jobs');
    expect(scheduler).toMatchObject({ onlyIn: 'a', bUs: 0 });
    expect(scheduler!.aUs).toBeGreaterThan(0);
    expect(c.hops.find((r) => r.label === 'billing POST /billing/settlements')).toMatchObject({ onlyIn: 'a', bUs: 0 });
    // the missing scheduled delay is intended: the explanation is the scheduler's own work
    expect(c.top?.kind).toBe('operation');
    expect(c.top?.onlyIn).toBe('a');
    const reverse = compareChains(short, order());
    expect(reverse.stages.map((r) => r.onlyIn)).toEqual([undefined, undefined, 'b']);
  });

  it('takes a typical order as the median of each row, an order without a row counting 0 there', () => {
    const profiles = [40, 60, 900, 50, 55].map((paymentMs) => chainProfile(order({ paymentMs })));
    const typical = typicalProfile(profiles)!;
    expect(typical.rows.find((r) => r.label === 'payment POST /payments/charge')?.us).toBe(55 * ms);
    expect(typical.durationUs).toBe(median(profiles.map((p) => p.durationUs)));
    expect(typical.stages).toEqual(profiles[0].stages);
    const c = compareProfiles(chainProfile(order({ paymentMs: 900 })), typical);
    expect(c.top).toMatchObject({ label: 'payment POST /payments/charge', deltaUs: 845 * ms });

    // a row present in a minority of orders has median 0 and is left out of the typical one
    const rare = [0, 0, 3].map((extraSpans) => chainProfile(order({ extraSpans })));
    expect(typicalProfile(rare)!.rows.some((r) => r.label === 'inventory SELECT stock')).toBe(false);
    expect(typicalProfile([])).toBeNull();
  });

  it.each([
    [[], 0],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
