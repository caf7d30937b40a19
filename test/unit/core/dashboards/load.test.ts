import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DashboardFileError, loadDashboardFile, loadDashboards } from '../../../../core/dashboards/load';

const options = { businessKeys: ['order.id'] };
const shipped = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../dashboards/service-health.json'), 'utf8')) as Record<string, unknown>;

describe('dashboards: shipped files and DASHBOARDS_DIR', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboards-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, document: unknown): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
    return file;
  }

  /** The problems of one file, as [JSON path, expected] pairs. */
  function problems(name: string, document: unknown): [string, string][] {
    const file = write(name, document);
    try {
      loadDashboardFile(file, options);
    } catch (err) {
      expect(err).toBeInstanceOf(DashboardFileError);
      const e = err as DashboardFileError;
      expect(e.file).toBe(file);
      expect(e.message).toContain(file);
      return e.problems.map((p) => [p.path, p.expected]);
    }
    throw new Error(`${name} was accepted`);
  }

  const variant = (change: (d: any) => void) => {
    const d = structuredClone(shipped) as any;
    change(d);
    return d;
  };

  it('loads the three shipped dashboards with defaults filled in', () => {
    const all = loadDashboards('', options);
    expect([...all.keys()].sort()).toEqual(['logs', 'order-center', 'service-health']);
    for (const d of all.values()) {
      expect(d.panels.length).toBeGreaterThan(0);
      expect(d.refresh).toMatch(/^\d+s$/);
    }
  });

  it('adds the dashboards of DASHBOARDS_DIR and lets one replace a shipped dashboard of the same id', () => {
    write('service-health.json', variant((d) => (d.title = 'Our services')));
    write('payments.json', variant((d) => (d.id = 'payments')));
    const all = loadDashboards(dir, options);
    expect(all.get('service-health')!.title).toBe('Our services');
    expect(all.get('payments')!.panels).toHaveLength(6);
    expect(all.has('order-center')).toBe(true);
  });

  it.each<[string, (d: any) => void, string, RegExp]>([
    ['a missing title', (d) => delete d.title, '$.title', /required property "title"/],
    ['a string where an integer goes', (d) => (d.panels[1].w = '4'), '$.panels[1].w', /an integer, got the string "4"/],
    ['an unknown property', (d) => (d.panels[0].colour = 'red'), '$.panels[0].colour', /no property "colour" here \(known: id, title, type/],
    ['an unknown query kind', (d) => (d.panels[2].query.kind = 'cpu'), '$.panels[2].query.kind', /one of "services", "topology", "error-operations", .*"log-messages"/],
    ['a property of another query kind', (d) => (d.panels[0].query.measure = 'p95Ms'), '$.panels[0].query.measure', /no property "measure"/],
    ['a limit on a service heatmap', (d) => (d.panels[2].query.limit = 5), '$.panels[2].query.limit', /no property "limit"/],
    ['a log tail of more than 50 records', (d) => (d.panels[2] = { ...d.panels[2], type: 'logstream', query: { kind: 'log-tail', limit: 51 } }), '$.panels[2].query.limit', /a number ≤ 50, got 51/],
    ['a bad window', (d) => (d.window = '1 hour'), '$.window', /a string matching/],
    ['a threshold without critical', (d) => delete d.panels[0].thresholds.p95Ms.critical, '$.panels[0].thresholds.p95Ms.critical', /required property "critical"/],
    ['a panel type that is not known', (d) => (d.panels[3].type = 'pie'), '$.panels[3].type', /one of "stat", "timeseries", "table", "funnel", "logs", "topology"/],
    ['too many panels', (d) => (d.panels = Array.from({ length: 25 }, () => d.panels[0])), '$.panels', /at most 24 items, got 25/],
  ])('refuses %s, naming the JSON path and what was expected', (_what, change, jsonPath, expected) => {
    const found = problems('service-health.json', variant(change));
    expect(found.map(([p]) => p)).toContain(jsonPath);
    expect(found.find(([p]) => p === jsonPath)![1]).toMatch(expected);
  });

  it.each<[string, (d: any) => void, string, RegExp]>([
    ['a panel past the right edge', (d) => (d.panels[1].x = 10), '$.panels[1].w', /x \+ w ≤ columns \(12\), got 10 \+ 4/],
    ['overlapping panels', (d) => Object.assign(d.panels[3], { x: 0, y: 0 }), '$.panels[3]', /not overlapping panel "services"/],
    ['two panels with one id', (d) => (d.panels[2].id = 'services'), '$.panels[2].id', /not used by another panel \("services" is \$\.panels\[0\]\)/],
    ['a query a table cannot draw', (d) => (d.panels[0].query = { kind: 'order-stages' }), '$.panels[0].query.kind', /for a table panel one of "services"/],
    ['a log query that does not parse', (d) => (d.panels[3].query.q = 'level:(error'), '$.panels[3].query.q', /a log query/],
    ['a business key that is not configured', (d) => (d.panels[0] = { ...d.panels[0], type: 'table', query: { kind: 'slow-orders', key: 'cart.id' } }), '$.panels[0].query.key', /BUSINESS_KEYS \(order.id\), got "cart.id"/],
    ['thresholds the wrong way round', (d) => (d.panels[0].thresholds.p95Ms = { warn: 900, critical: 100 }), '$.panels[0].thresholds.p95Ms', /critical ≥ warn/],
    ['a window over a day', (d) => (d.panels[0].window = '25h'), '$.panels[0].window', /at most 24h/],
    ['a log tail on a heatmap', (d) => (d.panels[2].query = { kind: 'log-tail' }), '$.panels[2].query.kind', /for a heatmap panel one of "order-latency", "service-latency"$/],
    ['a latency heatmap on a log stream', (d) => (d.panels[2].type = 'logstream'), '$.panels[2].query.kind', /for a logstream panel one of "log-tail"$/],
    ['an order heatmap of a key that is not configured', (d) => (d.panels[2].query = { kind: 'order-latency', key: 'cart.id' }), '$.panels[2].query.key', /BUSINESS_KEYS \(order.id\), got "cart.id"/],
    ['a log tail whose query does not parse', (d) => Object.assign(d.panels[2], { type: 'logstream', query: { kind: 'log-tail', q: 'service:(' } }), '$.panels[2].query.q', /a log query/],
  ])('refuses %s (rules beyond the schema)', (_what, change, jsonPath, expected) => {
    const found = problems('service-health.json', variant(change));
    expect(found.find(([p]) => p === jsonPath)?.[1]).toMatch(expected);
  });

  it('refuses an id that is not the file name, a file that is not JSON, and names the file', () => {
    expect(problems('other.json', shipped)).toEqual([['$.id', '"other" (the file name without .json), got "service-health"']]);
    const [[p, expected]] = problems('broken.json', '{"id": "broken",');
    expect(p).toBe('$');
    expect(expected).toMatch(/^JSON \(/);
  });

  it('fails the whole load on a bad file of DASHBOARDS_DIR, with the file in the message', () => {
    const file = write('service-health.json', variant((d) => (d.panels[1].h = 0)));
    expect(() => loadDashboards(dir, options)).toThrow(`dashboard ${file}: $.panels[1].h: expected a number ≥ 1, got 0`);
  });

  it('says when DASHBOARDS_DIR cannot be read', () => {
    expect(() => loadDashboards(path.join(dir, 'missing'), options)).toThrow(/DASHBOARDS_DIR .*missing cannot be read/);
  });
});
