import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const REPO = path.join(__dirname, '..', '..', '..');
/** Modules outside ui/ the browser bundle may hold: pure code with no Node API, shared with the server on purpose. */
const SHARED_PURE_MODULES = ['core/analysis/series-services.ts', 'core/analysis/span-tree.ts'];

describe('the UI bundle', () => {
  it('holds the UI, d3 and the shared pure modules only: the wire types (core/wire) are types, no server module comes along', async () => {
    const result = await build({
      entryPoints: [path.join(REPO, 'ui', 'src', 'main.ts')],
      absWorkingDir: REPO,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      outfile: 'app.js',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    // the walk must see the bundle: the UI's own entry point and the API client are in it
    expect(inputs).toEqual(expect.arrayContaining(['ui/src/main.ts', 'ui/src/api.ts', 'ui/src/traceTree.ts']));
    const foreign = inputs.filter((f) => !f.startsWith('ui/src/') && !/^node_modules\/(d3|d3-[a-z-]+|internmap|delaunator|robust-predicates)\//.test(f));
    expect(foreign.sort()).toEqual(SHARED_PURE_MODULES);
  });

  it('type-checks against the server wire types (ui/tsconfig.json)', async () => {
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = await promisify(execFile)(process.execPath, [tsc, '-p', path.join(REPO, 'ui', 'tsconfig.json')], { cwd: REPO }).then(
      () => ({ code: 0, out: '' }),
      (err: { code?: number; stdout?: string }) => ({ code: err.code ?? 1, out: err.stdout ?? '' }),
    );
    expect(run).toEqual({ code: 0, out: '' });
  }, 120_000);
});
