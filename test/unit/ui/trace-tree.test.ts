import type { Span } from '../../../ui/src/api';
import { buildTree, visibleRows } from '../../../ui/src/traceTree';

const span = (spanId: string, parentSpanId: string, startUs: number, durationUs = 10, error = false): Span => ({
  traceId: 't'.repeat(32),
  spanId,
  parentSpanId,
  service: `svc-${spanId[0]}`,
  name: spanId,
  kind: 'internal',
  startUs,
  durationUs,
  status: { code: error ? 'error' : 'unset', message: '' },
  attributes: {},
  resource: {},
  events: [],
  links: [],
  scope: { name: '', version: '' },
  criticalPath: false,
  skewAdjustedUs: 0,
});

const rows = (spans: Span[]) => buildTree(spans).order.map((n) => [n.span.spanId, n.depth, n.descendants, n.childCount, n.orphan]);

describe('the waterfall tree (built on core/analysis/span-tree)', () => {
  it('lists parents before children, siblings by start, with depths and subtree sizes', () => {
    const spans = [span('c2', 'root', 30), span('root', '', 0, 100), span('c1', 'root', 10), span('g1', 'c1', 12, 5, true)];
    expect(rows(spans)).toEqual([
      ['root', 0, 3, 2, false],
      ['c1', 1, 1, 1, false],
      ['g1', 2, 0, 0, false],
      ['c2', 1, 0, 0, false],
    ]);
    const tree = buildTree(spans);
    expect([tree.startUs, tree.endUs, tree.errorCount, tree.services, tree.root?.span.spanId]).toEqual([0, 100, 1, ['svc-c', 'svc-g', 'svc-r'], 'root']);
  });

  it('shows a span whose parent is missing (or is itself) as a marked root, after earlier roots', () => {
    expect(rows([span('late', 'missing', 50), span('root', '', 0), span('self', 'self', 70)])).toEqual([
      ['root', 0, 0, 0, false],
      ['late', 0, 0, 0, true],
      ['self', 0, 0, 0, true],
    ]);
  });

  it('shows spans caught in a parent cycle once each, the earliest as a root, after the rest', () => {
    expect(rows([span('x', 'y', 20), span('y', 'x', 10), span('root', '', 0)])).toEqual([
      ['root', 0, 0, 0, false],
      ['y', 0, 1, 1, false],
      ['x', 1, 0, 1, false],
    ]);
  });

  it('keeps the first of a repeated span id, and survives a 10,000-deep chain', () => {
    expect(rows([span('a', '', 0), span('a', '', 5)])).toEqual([['a', 0, 0, 0, false]]);
    const deep = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i === 0 ? '' : `s${i - 1}`, i));
    const tree = buildTree(deep);
    expect(tree.order.length).toBe(10_000);
    expect(tree.order[9_999].depth).toBe(9_999);
    expect(tree.order[0].descendants).toBe(9_999);
  });

  it('hides the subtrees of collapsed nodes', () => {
    const tree = buildTree([span('root', '', 0, 100), span('c1', 'root', 10), span('g1', 'c1', 12), span('c2', 'root', 30)]);
    expect(visibleRows(tree.order, new Set(['c1'])).map((n) => n.span.spanId)).toEqual(['root', 'c1', 'c2']);
    expect(visibleRows(tree.order, new Set(['root'])).map((n) => n.span.spanId)).toEqual(['root']);
    expect(visibleRows(tree.order, new Set())).toBe(tree.order);
  });
});
