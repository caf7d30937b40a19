import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStep, TopologyService } from '../../../query-api/services/topology-service';
import { openEmbeddedStores } from '../../../storage/embedded';
import { statsStepSeconds, WINDOWS } from '../../../ui/src/views/topologyWindows';

/** The step the topology page asks for, put to the real service over the real embedded store. */
describe('statsStepSeconds', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-topo-step-'));
    stores = openEmbeddedStores({ dataDir });
    await stores.spans.start();
  });
  afterAll(async () => {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(WINDOWS.map((w) => [w.value, w.ms]))('the %s window asks for a step the API accepts', async (_label, ms) => {
    const step = statsStepSeconds(ms);
    expect(step % 60).toBe(0);
    expect(step).toBeGreaterThanOrEqual(60);
    const service = new TopologyService(stores.spans);
    // An end that is not on a minute boundary, as Date.now() gives.
    const endUs = (Date.now() - 12_345) * 1000;
    const stats = await service.serviceStats('nobody', { startUs: endUs - ms * 1000, endUs }, parseStep(String(step)));
    expect(stats.series.length).toBeGreaterThan(0);
    expect(stats.series.length).toBeLessThanOrEqual(62);
  });

  it('gives whole minutes, at least one, about 60 points, for any window', () => {
    expect(statsStepSeconds(15 * 60_000)).toBe(60);
    expect(statsStepSeconds(3_600_000)).toBe(60);
    expect(statsStepSeconds(61 * 60_000)).toBe(120);
    expect(statsStepSeconds(6 * 3_600_000)).toBe(360);
    expect(statsStepSeconds(24 * 3_600_000)).toBe(1440);
    expect(statsStepSeconds(1000)).toBe(60);
    expect(statsStepSeconds(0)).toBe(60);
  });
});
