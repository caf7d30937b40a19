import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['core', 'storage', 'bus', 'collector', 'ingest', 'query-api', 'bin', 'demo', 'bench'];
const STAMP = path.join(ROOT, 'dist', '.build-stamp');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Tests that spawn `node dist/bin/chainscope.js` need dist/ to match the
 * sources: recompile when any server source is newer than the last build.
 */
export function ensureFreshBuild(): void {
  const newest = Math.max(...SOURCE_DIRS.filter((d) => fs.existsSync(path.join(ROOT, d))).map((d) => newestSourceMtime(path.join(ROOT, d))));
  const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (built >= newest) return;
  console.warn('test setup: dist/ is older than the sources, compiling (tsc)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  fs.writeFileSync(STAMP, new Date().toISOString());
}
