import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedMetricStore, openEmbeddedStores } from '../../storage/embedded';
import { describeMetricStoreContract } from './metric-store.contract';
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
// Tag searches from the attribute index: the business keys' names and a few more, then every name.
describeSpanStoreContract(
  'embedded, business keys and listed attributes indexed',
  embeddedStore('spans', { indexedAttributes: ['order.id', 'customer.id', 'http.request.method', 'k8s.pod.name', 'seq'] }),
);
describeSpanStoreContract('embedded, every attribute indexed', embeddedStore('spans', { indexedAttributes: ['*'] }));
describeLogStoreContract('embedded', embeddedStore('logs'));

// The same contract with retention passes running every 20 ms on the writing connection (limits far from
// the test data): retention running beside writes and reads changes no answer about data it keeps.
const farLimits = { maxAgeUs: 3650 * 86_400_000_000, maxBytes: 2 ** 40, intervalMs: 20 };

describeSpanStoreContract('embedded, retention running', embeddedStore('spans', { retention: farLimits, indexedAttributes: ['order.id'] }));
describeLogStoreContract('embedded, retention running', embeddedStore('logs', { retention: farLimits }));

describeMetricStoreContract('embedded', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-embedded-'));
  const stores = openEmbeddedStores({ dataDir, retention: farLimits });
  const store = openEmbeddedMetricStore(stores);
  return {
    store,
    cleanup: async () => {
      await store.shutdown();
      await stores.spans.shutdown();
      await stores.logs.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
