import type { Chain, ChainJoin, ChainPathStep, ChainSpan, ChainTrace, ChainWait } from '../../../ui/src/api';
import { layoutChain } from '../../../ui/src/views/chainLayout';
import {
  BAR_H,
  criticalSegments,
  criticalSpanKeys,
  joinCurves,
  joinPath,
  LABEL_W,
  laneOptions,
  LANE_PAD,
  MAX_ZOOM,
  MIN_WIDTH,
  RIGHT,
  ROW_PITCH,
  stageLabel,
  startsExpanded,
  stretch,
  timelineFrame,
  TOP,
  waitBoxes,
  zoomToTrace,
} from '../../../ui/src/views/chainTimelineScene';

const span = (traceId: string, spanId: string, parentSpanId: string, startUs: number, durationUs: number): ChainSpan => ({
  traceId,
  spanId,
  parentSpanId,
  service: `svc-${traceId}`,
  name: spanId,
  kind: 'internal',
  startUs,
  durationUs,
  status: { code: 'unset', message: '' },
  attributes: {},
  links: [],
});
const trace = (traceId: string, startUs: number, durationUs: number): ChainTrace => ({
  traceId,
  rootService: `svc-${traceId}`,
  rootName: 'root',
  startUs,
  durationUs,
  spanCount: 1,
  errorCount: 0,
  services: [`svc-${traceId}`],
  stage: '',
});

// Trace A: a root with two overlapping children (two rows); trace B starts after a queue wait.
const spans = [span('A', 'a1', '', 0, 100), span('A', 'a2', 'a1', 10, 50), span('A', 'a3', 'a1', 20, 50), span('B', 'b1', '', 200, 100)];
const traces = [trace('B', 200, 100), trace('A', 0, 100)];
const OPTS = { rowPitch: ROW_PITCH, lanePadding: LANE_PAD, minLaneHeight: 40, maxRows: 12 };
const layout = layoutChain({ traces, spans }, OPTS);
const identity = (us: number) => us;

describe('chain timeline scene', () => {
  it('lays lanes out in start order and packs overlapping children into rows below their parent', () => {
    expect(layout.lanes.map((l) => [l.trace.traceId, l.y, l.height, l.rows])).toEqual([
      ['A', 0, 48, 3],
      ['B', 48, 40, 1],
    ]);
    expect(['a1', 'a2', 'a3'].map((id) => layout.byKey.get(`A:${id}`)!.row)).toEqual([0, 1, 2]);
    expect(layout.height).toBe(88);
  });

  it('frames the plot: never narrower than the minimum, 2 % of time either side, room for the header rows', () => {
    const frame = timelineFrame({ startUs: 0, endUs: 300 }, layout, 1000);
    expect(frame).toEqual({ width: 1000, innerW: 1000 - LABEL_W - RIGHT, height: TOP + 88 + 8, domain: [-6, 306] });
    expect(timelineFrame({ startUs: 0, endUs: 300 }, layout, 10).width).toBe(MIN_WIDTH);
    // a chain of zero length still has a domain one microsecond wide
    expect(timelineFrame({ startUs: 50, endUs: 50 }, layout, 1000).domain).toEqual([50 - 0.02, 51 + 0.02]);
  });

  it('puts the critical path through the bars of its spans and leaves waits and unknown spans out', () => {
    const path: ChainPathStep[] = [
      { traceId: 'A', spanId: 'a1', startUs: 0, endUs: 10 },
      { traceId: 'A', spanId: 'a3', startUs: 20, endUs: 70 },
      { wait: true, kind: 'queue', startUs: 100, endUs: 200, fromTraceId: 'A', fromSpanId: 'a1', toTraceId: 'B', toSpanId: 'b1' },
      { traceId: 'B', spanId: 'gone', startUs: 200, endUs: 300 },
    ];
    expect([...criticalSpanKeys(path)].sort()).toEqual(['A:a1', 'A:a3', 'B:gone']);
    expect(criticalSegments(path, layout).map((s) => [s.step.spanId, s.y])).toEqual([
      ['a1', LANE_PAD + BAR_H / 2 - 1.5],
      ['a3', LANE_PAD + 2 * ROW_PITCH + BAR_H / 2 - 1.5],
    ]);
  });

  it('shades a wait in the lane of the trace that waited, only when it has a length and a lane', () => {
    const wait = (toTraceId: string, startUs: number, endUs: number): ChainWait => ({
      kind: 'queue',
      fromTraceId: 'A',
      fromSpanId: 'a1',
      toTraceId,
      toSpanId: 'b1',
      startUs,
      endUs,
      onCriticalPath: true,
    });
    const boxes = waitBoxes([wait('B', 100, 200), wait('B', 150, 150), wait('Z', 100, 200)], layout);
    expect(boxes.map((b) => [b.wait.toTraceId, b.y, b.height, b.labelY])).toEqual([['B', 48 + 3, 40 - 6, 48 + 20 + 4]]);
  });

  it('draws a join from the upstream span end to the downstream span start, or the trace start when the span is unknown', () => {
    const join = (toSpanId: string, toTraceId = 'B'): ChainJoin => ({ kind: 'message', fromTraceId: 'A', fromSpanId: 'a2', toTraceId, toSpanId, waitUs: 140 });
    const [known, unknown, ...rest] = joinCurves([join('b1'), join('nope'), join('b1', 'Z')], layout);
    expect(rest).toEqual([]);
    expect(known.from).toEqual({ y: LANE_PAD + ROW_PITCH + BAR_H / 2, timeUs: 60 });
    expect(known.to).toEqual({ y: 48 + LANE_PAD + BAR_H / 2, timeUs: 200 });
    expect(unknown.to).toEqual({ y: 48 + LANE_PAD + BAR_H / 2, timeUs: 200 });
    const y1 = known.from.y;
    const y2 = known.to.y;
    expect(joinPath(identity, known)).toBe(`M60,${y1} C130,${y1} 130,${y2} 200,${y2}`);
    // short joins still curve out at least 24 px
    expect(joinPath((us) => us / 100, known)).toBe(`M0.6,${y1} C24.6,${y1} -22,${y2} 2,${y2}`);
  });

  it('zooms a lane click so the trace fills the plot with 5 % air, within the zoom bounds', () => {
    // x0: unzoomed SVG scale over the domain [0, 1000] onto [LABEL_W, LABEL_W + 1000]
    const x0 = (us: number) => LABEL_W + us;
    const { k, tx } = zoomToTrace(x0, [0, 1000], { startUs: 100, durationUs: 100 });
    expect(k).toBeCloseTo(1000 / 110);
    // the trace's start less its margin lands on the plot's left edge
    expect(k * x0(95) + tx).toBeCloseTo(LABEL_W);
    expect(zoomToTrace(x0, [0, 1000], { startUs: 0, durationUs: 5000 }).k).toBe(1);
    expect(zoomToTrace(x0, [0, 1e12], { startUs: 0, durationUs: 0 }).k).toBe(MAX_ZOOM);
  });

  it('keeps short marks visible and hides stage names that only repeat the root', () => {
    expect(stretch(identity, 10, 10.2, 1.5)).toEqual({ x: 10, width: 1.5 });
    expect(stretch(identity, 10, 30, 1.5)).toEqual({ x: 10, width: 20 });
    expect(stageLabel({ stage: 'svc: root', rootService: 'svc', rootName: 'root' })).toBe('');
    expect(stageLabel({ stage: 'root', rootService: 'svc', rootName: 'root' })).toBe('');
    expect(stageLabel({ stage: 'payment', rootService: 'svc', rootName: 'root' })).toBe('payment');
  });

  it('gives a lane to spans whose trace the chain does not list', () => {
    const orphanLayout = layoutChain({ traces: [], spans: [span('Q', 'q1', '', 5, 10), span('Q', 'q2', 'q1', 6, 2)] } as Pick<Chain, 'traces' | 'spans'>, OPTS);
    expect(orphanLayout.lanes.map((l) => [l.trace.traceId, l.trace.startUs, l.trace.durationUs, l.trace.spanCount])).toEqual([['Q', 5, 10, 2]]);
  });

  it('starts compact above 8 lanes, where deep nesting shares the fourth sub-row', () => {
    const lanes = (n: number) => Array.from({ length: n }, (_, i) => span(`T${i}`, 's', '', 0, 1));
    expect([startsExpanded({ spans: lanes(8) }), startsExpanded({ spans: lanes(9) })]).toEqual([true, false]);
    // five nested spans in one trace: 5 sub-rows expanded, 4 compact
    const nested = Array.from({ length: 5 }, (_, i) => span('N', `n${i}`, i ? `n${i - 1}` : '', i, 100 - i));
    expect(layoutChain({ traces: [], spans: nested }, laneOptions(true)).lanes[0].rows).toBe(5);
    expect(layoutChain({ traces: [], spans: nested }, laneOptions(false)).lanes[0].rows).toBe(4);
  });
});
