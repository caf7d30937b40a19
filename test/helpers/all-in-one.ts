import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAllInOne, type AllInOneOptions, type RunningAllInOne } from '../../bin/all-in-one';

export interface TestAllInOne extends RunningAllInOne {
  dataDir: string;
  /** Stops and removes the data folder. */
  dispose(): Promise<void>;
}

/** An all-in-one on ephemeral loopback ports with a fresh data folder and no demo. */
export async function startTestAllInOne(options: AllInOneOptions = {}): Promise<TestAllInOne> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-test-'));
  const running = await startAllInOne({ host: '127.0.0.1', port: 0, otlpHttpPort: 0, demo: false, log: () => {}, ...options, dataDir });
  return {
    ...running,
    dataDir,
    async dispose() {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
