import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A small RAM file system of its own, so a test can fill a disk without touching the machine's. */
export interface Tmpfs {
  dir: string;
  /** Fills the file system until at most `leaveBytes` are free (a file named `filler`, returned for freeing). */
  fill(leaveBytes?: number): string;
  freeBytes(): number;
  unmount(): void;
}

function tryMount(sizeMiB: number): Tmpfs | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return String((err as { stderr?: Buffer }).stderr ?? err).trim();
  }
  const freeBytes = () => {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  };
  let fillers = 0;
  return {
    dir,
    freeBytes,
    fill(leaveBytes = 0) {
      const file = path.join(dir, `filler-${fillers++}`);
      const fd = fs.openSync(file, 'w');
      const chunk = Buffer.alloc(256 * 1024, 1);
      try {
        for (let free = freeBytes(); free > leaveBytes; free = freeBytes()) {
          fs.writeSync(fd, chunk, 0, Math.max(4096, Math.min(chunk.length, free - leaveBytes)));
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      return file;
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * `describe` for suites that need their own tmpfs (mounting needs root): skipped
 * with a message where mounting is not allowed, a failing test under REQUIRE_ENGINES=1 (CI).
 */
export function describeWithTmpfs(title: string, body: (mount: (sizeMiB: number) => Tmpfs) => void): void {
  const probe = tryMount(1);
  if (typeof probe !== 'string') {
    probe.unmount();
    return describe(title, () =>
      body((sizeMiB) => {
        const t = tryMount(sizeMiB);
        if (typeof t === 'string') throw new Error(`cannot mount a tmpfs: ${t}`);
        return t;
      }),
    );
  }
  if (process.env.REQUIRE_ENGINES === '1') {
    test(`${title}: a tmpfs can be mounted (REQUIRE_ENGINES=1)`, () => {
      throw new Error(`cannot mount a tmpfs (run as root): ${probe}`);
    });
    return;
  }
  console.warn(`${title}: skipped, cannot mount a tmpfs here (${probe}); run as root, REQUIRE_ENGINES=1 makes this a failure`);
  describe.skip(title, () => body(() => {
    throw new Error('unreachable');
  }));
}
