import path from 'node:path';

/** The repository root, from dist/bin/components (compiled) or bin/components (sources, in tests). */
export function repoRoot(): string {
  const compiled = __dirname.includes(`${path.sep}dist${path.sep}`);
  return path.resolve(__dirname, ...(compiled ? ['..', '..', '..'] : ['..', '..']));
}

/** The UI bundle the query API serves. */
export function uiDir(): string {
  return path.join(repoRoot(), 'ui', 'dist');
}
