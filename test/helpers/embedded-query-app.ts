import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Counters } from '../../core/metrics';
import { createQueryApp, type QueryAppOptions } from '../../query-api/app';
import { openEmbeddedStores } from '../../storage/embedded';

type EmbeddedOptions = Omit<Parameters<typeof openEmbeddedStores>[0], 'dataDir'>;

/** Started embedded stores in a fresh folder, and query apps over them listening on loopback. */
export interface EmbeddedQueryApp {
  stores: ReturnType<typeof openEmbeddedStores>;
  /** Starts one more app over the stores (e.g. with other chain options); resolves with its base URL. */
  listen(options?: Partial<QueryAppOptions>): Promise<string>;
  /** Closes every app, shuts the stores and removes the folder. */
  dispose(): Promise<void>;
}

export async function startEmbeddedQueryApp(name: string, storeOptions: EmbeddedOptions = {}): Promise<EmbeddedQueryApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `chainscope-${name}-`));
  const stores = openEmbeddedStores({ dataDir, ...storeOptions });
  await stores.logs.start();
  await stores.spans.start();
  const servers: Server[] = [];
  return {
    stores,
    async listen(options = {}) {
      const app = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters(), ...options });
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise((resolve) => server.once('listening', resolve));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    async dispose() {
      for (const s of servers) await new Promise((resolve) => s.close(resolve));
      await stores.logs.shutdown();
      await stores.spans.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
