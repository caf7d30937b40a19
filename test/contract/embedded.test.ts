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
