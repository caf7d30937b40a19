import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedStores } from '../../storage/embedded';
import { describeLogStoreContract } from './log-store.contract';
import { describeSpanStoreContract } from './span-store.contract';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-embedded-'));
}

describeSpanStoreContract('embedded', async () => {
  const dataDir = tempDir();
  const { spans, logs } = openEmbeddedStores({ dataDir });
  await logs.shutdown();
  return {
    store: spans,
    cleanup: async () => {
      await spans.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describeLogStoreContract('embedded', async () => {
  const dataDir = tempDir();
  const { spans, logs } = openEmbeddedStores({ dataDir });
  await spans.shutdown();
  return {
    store: logs,
    cleanup: async () => {
      await logs.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

// The same contract with retention passes running every 20 ms on the writing connection (limits far from
// the test data): retention running beside writes and reads changes no answer about data it keeps.
const farLimits = { maxAgeUs: 3650 * 86_400_000_000, maxBytes: 2 ** 40, intervalMs: 20 };

describeSpanStoreContract('embedded, retention running', async () => {
  const dataDir = tempDir();
  const { spans, logs } = openEmbeddedStores({ dataDir, retention: farLimits });
  await logs.shutdown();
  return {
    store: spans,
    cleanup: async () => {
      await spans.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describeLogStoreContract('embedded, retention running', async () => {
  const dataDir = tempDir();
  const { spans, logs } = openEmbeddedStores({ dataDir, retention: farLimits });
  await spans.shutdown();
  return {
    store: logs,
    cleanup: async () => {
      await logs.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
