import { compareChains } from '../../../core/analysis/chain-compare';
import { comparableOrder } from '../../helpers/comparable-order';
import { topDifferenceMatches } from '../../../bench/why-slow-compare-score';
import type { GroundTruth } from '../../../demo/faults';

const order = comparableOrder;

const truth = (kind: GroundTruth['kind'], service: string, operation: string, destination?: string) => ({ kind, service, operation, ...(destination ? { destination } : {}) });

describe('topDifferenceMatches', () => {
  const typical = order();
  const slowPayment = compareChains(order({ paymentMs: 900 }), typical);
  const backlog = compareChains(order({ queueMs: 1500 }), typical);

  it.each([
    ['a slow payment call, latency on it', slowPayment, truth('latency', 'payment', 'POST /payments/charge'), true],
    ['a slow payment call, a slow external call there', slowPayment, truth('slowExternal', 'payment', 'POST /payments/charge'), true],
    ['a slow payment call, latency elsewhere', slowPayment, truth('latency', 'inventory', 'POST /inventory/commit'), false],
    ['a slow payment call, a backlog', slowPayment, truth('queueBacklog', 'fulfilment', 'process order-events', 'order-events'), false],
    ['a queue wait, the backlog before its consumer', backlog, truth('queueBacklog', 'fulfilment', 'process order-events', 'order-events'), true],
    ['a queue wait, latency in the consumer span', backlog, truth('latency', 'fulfilment', 'process order-events'), false],
    ['no difference at all', compareChains(typical, typical), truth('latency', 'payment', 'POST /payments/charge'), false],
  ])('%s', (_name, comparison, fault, expected) => {
    expect(topDifferenceMatches(fault, comparison)).toBe(expected);
  });

  it('scores a missing answer as a miss', () => {
    expect(topDifferenceMatches(truth('latency', 'payment', 'POST /payments/charge'), null)).toBe(false);
    expect(topDifferenceMatches(truth('latency', 'payment', 'POST /payments/charge'), { top: null })).toBe(false);
  });
});
