// Builds the server (tsc -> dist/) and the UI bundle (ui/dist/) into fresh
// folders and swaps each in only when the whole build succeeded, so a server
// running from dist/ never loads a half-written file and a cut-off build
// leaves the previous dist/ as it was.
//
//   node scripts/build.mjs             always build
//   node scripts/build.mjs --if-stale  skip when dist/ is newer than every source (npm's `prepare`)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const uiDist = join(root, 'ui', 'dist');
const stamp = join(dist, '.build-stamp');
const SOURCES = ['core', 'storage', 'bus', 'collector', 'ingest', 'query-api', 'demo', 'bin', 'bench', 'ui/src', 'ui/index.html', 'ui/styles.css', 'tsconfig.json', 'package.json'];

function newestMtime(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtime(join(file, entry)));
  return newest;
}

function upToDate() {
  if (!existsSync(stamp) || !existsSync(join(uiDist, 'app.js'))) return false;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.every((s) => !existsSync(join(root, s)) || newestMtime(join(root, s)) <= built);
}

/** Puts `fresh` where `target` is, keeping the old folder until the new one is in place. */
function swapIn(fresh, target) {
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(fresh, target);
  rmSync(old, { recursive: true, force: true });
}

/** Folders a build that was cut off (Ctrl-C, kill) left beside dist/ and ui/dist/, when their build is gone. */
function removeLeftovers() {
  for (const target of [dist, uiDist]) {
    const parent = dirname(target);
    const prefix = `${target.slice(parent.length + 1)}.`;
    for (const entry of readdirSync(parent)) {
      const m = entry.startsWith(prefix) ? /^(?:building|old)-(\d+)$/.exec(entry.slice(prefix.length)) : null;
      if (m && !alive(Number(m[1]))) rmSync(join(parent, entry), { recursive: true, force: true });
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

removeLeftovers();
if (process.argv.includes('--if-stale') && upToDate()) {
  console.log('build: dist/ and ui/dist/ are up to date (npm run build rebuilds anyway)');
  process.exit(0);
}

const tag = `.building-${process.pid}`;
const freshDist = dist + tag;
const freshUi = uiDist + tag;
try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', freshDist], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(root, 'scripts', 'build-ui.mjs'), freshUi], { cwd: root, stdio: 'inherit' });
  writeFileSync(join(freshDist, '.build-stamp'), new Date().toISOString());
  swapIn(freshUi, uiDist);
  swapIn(freshDist, dist);
} catch (err) {
  rmSync(freshDist, { recursive: true, force: true });
  rmSync(freshUi, { recursive: true, force: true });
  console.error(`build failed; dist/ and ui/dist/ are left as they were (${err.message.split('\n')[0]})`);
  process.exit(1);
}
