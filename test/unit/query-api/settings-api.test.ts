import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import { DEFAULT_CONFIG } from '../../../core/config';
import { Counters } from '../../../core/metrics';
import type { SettingsView } from '../../../core/wire';
import { createQueryApp, type QueryAppOptions } from '../../../query-api/app';
import { openEmbeddedStores } from '../../../storage/embedded';

describe('GET /api/settings', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-settings-'));
    stores = openEmbeddedStores({ dataDir });
  });
  afterAll(() => {
    stores.database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function settingsOf(chains: QueryAppOptions['chains']): Promise<{ status: number; body: SettingsView }> {
    const app = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters(), chains });
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/settings`);
      return { status: res.status, body: (await res.json()) as SettingsView };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('reports the configured business keys, intended waits, stage names and trace bound', async () => {
    const { status, body } = await settingsOf({
      businessKeys: ['tenant.order', 'user_id'],
      expectedWaits: ['reminder-delay'],
      stages: [
        { stage: 'checkout', service: 'web', operation: 'POST /checkout' },
        { stage: 'payment', service: 'payments' },
        { stage: 'checkout', service: 'web-v2' },
      ],
      maxTraces: 77,
    });
    expect(status).toBe(200);
    expect(body).toEqual({ businessKeys: ['tenant.order', 'user_id'], expectedWaits: ['reminder-delay'], stages: ['checkout', 'payment'], chainMaxTraces: 77 });
  });

  it('falls back to the defaults for what the app was not given', async () => {
    const { body } = await settingsOf({ businessKeys: undefined, maxTraces: 5 });
    expect(body.businessKeys).toEqual(DEFAULT_CONFIG.businessKeys);
    expect(body.expectedWaits).toEqual(DEFAULT_CONFIG.chainExpectedWaits);
    expect(body.chainMaxTraces).toBe(5);
  });
});
