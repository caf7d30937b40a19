import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedStores } from '../../storage/embedded';
import { describeLogStoreContract } from './log-store.contract';
import { describeSpanStoreContract } from './span-store.contract';

type EmbeddedOptions = Omit<Parameters<typeof openEmbeddedStores>[0], 'dataDir'>;

/** One of the two embedded stores in a fresh folder (the other one closed), removed again by cleanup. */
function embeddedStore<K extends 'spans' | 'logs'>(which: K, options: EmbeddedOptions = {}) {
  return async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-embedded-'));
    const stores = openEmbeddedStores({ dataDir, ...options });
    await stores[which === 'spans' ? 'logs' : 'spans'].shutdown();
    const store = stores[which];
    return {
      store,
      cleanup: async () => {
        await store.shutdown();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

describeSpanStoreContract('embedded', embeddedStore('spans'));
describeLogStoreContract('embedded', embeddedStore('logs'));

// The same contract with retention passes running every 20 ms on the writing connection (limits far from
// the test data): retention running beside writes and reads changes no answer about data it keeps.
const farLimits = { maxAgeUs: 3650 * 86_400_000_000, maxBytes: 2 ** 40, intervalMs: 20 };

describeSpanStoreContract('embedded, retention running', embeddedStore('spans', { retention: farLimits }));
describeLogStoreContract('embedded, retention running', embeddedStore('logs', { retention: farLimits }));
