// Bundles the browser UI (ui/src/main.ts) into ui/dist/ (or the folder given as the first argument) with its static files.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = join(root, 'ui');
const outDir = process.argv[2] ?? join(uiDir, 'dist');

await mkdir(outDir, { recursive: true });
const result = await build({
  entryPoints: [join(uiDir, 'src', 'main.ts')],
  outfile: join(outDir, 'app.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: 'es2020',
  platform: 'browser',
  logLevel: 'warning',
  metafile: true,
});
await Promise.all(['index.html', 'styles.css'].map((f) => copyFile(join(uiDir, f), join(outDir, f))));

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`ui: built ${Object.keys(result.metafile.outputs).length} files (${Math.round(bytes / 1024)} KiB) into ${outDir}`);
