import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { parseSeries, sendCalls } from '../../helpers/span-metrics';
import { waitFor } from '../../helpers/wait';

const HELD = 'chainscope_ingest_write_turn_held_seconds_total';
const WAITED = 'chainscope_ingest_write_turn_waited_seconds_total';

describe('the ingest threads\' write turn on the all-in-one /metrics', () => {
  let app: TestAllInOne;
  afterEach(() => app.dispose());

  it('counts the seconds the two ingest threads held the embedded write turn and waited for it', async () => {
    app = await startTestAllInOne({ ingestThread: true, ingestThreads: 2 });
    await sendCalls(app, 40, 0);
    let series = new Map<string, number>();
    await waitFor(async () => {
      series = parseSeries(await (await fetch(`${app.apiUrl}/metrics`)).text());
      return series.get('chainscope_ingest_spans_written_total') === 80 && (series.get(HELD) ?? 0) > 0;
    }, '80 spans written and the turn held', 20_000, 100);
    expect(series.get(HELD)).toBeGreaterThan(0);
    expect(series.get(HELD)).toBeLessThan(20); // seconds: a handful of small writes
    expect(series.get(WAITED)).toBeGreaterThanOrEqual(0);
    const page = await (await fetch(`${app.apiUrl}/metrics`)).text();
    expect(page).toContain(`# TYPE ${HELD} counter`);
    expect(page).toContain(`# TYPE ${WAITED} counter`);
  });

  it('has no write-turn series with one ingest thread (nothing to take turns with)', async () => {
    app = await startTestAllInOne({ ingestThread: true, ingestThreads: 1 });
    await sendCalls(app, 5, 0);
    await waitFor(async () => parseSeries(await (await fetch(`${app.apiUrl}/metrics`)).text()).get('chainscope_ingest_spans_written_total') === 10, '10 spans written', 20_000, 100);
    const page = await (await fetch(`${app.apiUrl}/metrics`)).text();
    expect(page).not.toContain('chainscope_ingest_write_turn');
  });
});
