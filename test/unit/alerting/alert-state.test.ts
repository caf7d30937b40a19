import { RESOLVED_KEPT_MS, stepAlerts, type ActiveInstance, type AlertInstance } from '../../../alerting/alert-state';
import type { AlertRule } from '../../../alerting/rules';

const rule = (name: string, forMs: number): AlertRule => ({
  name,
  forMs,
  severity: 'warning',
  labels: {},
  annotations: {},
  condition: { kind: 'anomaly' },
  windowMs: 300_000,
  file: 'rules.json',
});
const holding = (labels: Record<string, string> = {}): ActiveInstance => ({ labels, value: 1, summary: 'held' });
const T = 1_800_000_000_000;

describe('alert life (pending → firing → resolved)', () => {
  const rules = [rule('Slow', 60_000)];
  const step = (prev: AlertInstance[], active: ActiveInstance[] | null, atMs: number) =>
    stepAlerts(prev, rules, active ? new Map([['Slow', active]]) : new Map(), atMs);

  it('is pending until the condition has held for `for`, then fires with startsAt = the moment it fired', () => {
    let s = step([], [holding()], T);
    expect(s.map((i) => i.status)).toEqual(['pending']);
    s = step(s, [holding()], T + 30_000);
    expect(s.map((i) => i.status)).toEqual(['pending']);
    s = step(s, [holding()], T + 60_000);
    expect(s).toMatchObject([{ status: 'firing', activeAtMs: T, firedAtMs: T + 60_000 }]);
    s = step(s, [holding()], T + 90_000);
    expect(s).toMatchObject([{ status: 'firing', firedAtMs: T + 60_000 }]);
  });

  it('resolves a firing alert when the condition stops holding, and forgets it after a while', () => {
    let s = step([], [holding()], T);
    s = step(s, [holding()], T + 60_000);
    s = step(s, [], T + 90_000);
    expect(s).toMatchObject([{ status: 'resolved', resolvedAtMs: T + 90_000, resolvedSent: false, firedAtMs: T + 60_000 }]);
    s = step(s, [], T + 90_000 + RESOLVED_KEPT_MS);
    expect(s).toEqual([]);
  });

  it('forgets a pending alert that stops holding, and starts afresh after a resolution', () => {
    let s = step([], [holding()], T);
    s = step(s, [], T + 30_000);
    expect(s).toEqual([]);
    s = step([], [holding()], T);
    s = step(s, [holding()], T + 60_000);
    s = step(s, [], T + 90_000);
    s = step(s, [holding()], T + 120_000);
    expect(s).toMatchObject([{ status: 'pending', activeAtMs: T + 120_000 }]);
  });

  it('keeps the state of a rule whose evaluation failed (a store hiccup neither fires nor resolves)', () => {
    let s = step([], [holding()], T);
    s = step(s, [holding()], T + 60_000);
    const kept = step(s, null, T + 90_000);
    expect(kept).toEqual(s);
  });

  it('tells instances of one rule apart by their labels', () => {
    let s = step([], [holding({ service: 'a' }), holding({ service: 'b' })], T);
    s = step(s, [holding({ service: 'a' }), holding({ service: 'b' })], T + 60_000);
    s = step(s, [holding({ service: 'b' })], T + 90_000);
    expect(s.map((i) => [i.labels.service, i.status]).sort()).toEqual([
      ['a', 'resolved'],
      ['b', 'firing'],
    ]);
  });

  it('resolves the firing alerts of a rule removed from the files', () => {
    let s = step([], [holding()], T);
    s = step(s, [holding()], T + 60_000);
    const after = stepAlerts(s, [], new Map(), T + 90_000);
    expect(after).toMatchObject([{ rule: 'Slow', status: 'resolved', resolvedAtMs: T + 90_000 }]);
  });
});
