import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseParserSpec, Shipper, SHIPPER_DEFAULTS } from '../../../../collector/shipper';
import { waitFor } from '../../../helpers/wait';

describe('the shipper status line (STATUS_LINES=changed)', () => {
  it('is printed when its figures change, not on every interval', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-status-'));
    const lines: string[] = [];
    const shipper = new Shipper(
      {
        ...SHIPPER_DEFAULTS,
        sources: [{ paths: [path.join(dir, '*.log')], service: 'status', parser: parseParserSpec('plain') }],
        // nobody listens: nothing is shipped, so nothing changes while no file appears
        endpoint: 'http://127.0.0.1:1',
        stateDir: path.join(dir, 'state'),
        hostName: 'test',
        statusIntervalMs: 20,
        scanIntervalMs: 20,
      },
      (line) => lines.push(line),
    );
    try {
      await shipper.start();
      await waitFor(() => lines.length > 0 || undefined, 'a first status line', 5_000);
      // many intervals pass; the figures stay the same
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/files 0/);
      // a file appears: the line changes and is printed again
      fs.writeFileSync(path.join(dir, 'app.log'), 'hello\n');
      await waitFor(() => lines.some((l) => /files 1/.test(l)) || undefined, 'a status line naming the new file', 5_000);
    } finally {
      await shipper.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
