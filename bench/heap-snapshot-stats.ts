import fs from 'node:fs';
import type { CDPSession } from 'playwright-core';

/**
 * What a page's V8 heap holds, from a DevTools heap snapshot
 * (HeapProfiler.takeHeapSnapshot): self sizes summed by node type (code,
 * string, array, object, closure, hidden/system, …) and by type and name, so
 * two snapshots can be compared to see which kind of thing grew.
 */
export interface HeapSnapshotStats {
  totalBytes: number;
  byType: Record<string, number>;
  /** `type:name` → bytes and count; strings and numbers by type only (their name is their content). */
  byName: Map<string, { bytes: number; count: number }>;
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Node types whose name is their value, summed under one key. */
const UNNAMED = new Set(['string', 'concatenated string', 'sliced string', 'number', 'bigint']);

/** Takes a heap snapshot of the page; `saveTo`: also write it there (DevTools' Memory tab opens it). */
export async function heapSnapshotStats(cdp: CDPSession, saveTo?: string): Promise<HeapSnapshotStats> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const text = chunks.join('');
  if (saveTo) fs.writeFileSync(saveTo, text);
  const snap = JSON.parse(text) as SnapshotJson;
  const fields = snap.snapshot.meta.node_fields;
  const typeNames = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byType: Record<string, number> = {};
  const byName = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = typeNames[snap.nodes[i + typeAt]];
    const size = snap.nodes[i + sizeAt];
    totalBytes += size;
    byType[type] = (byType[type] ?? 0) + size;
    const key = UNNAMED.has(type) ? type : `${type}:${snap.strings[snap.nodes[i + nameAt]].slice(0, 80)}`;
    const entry = byName.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count++;
    byName.set(key, entry);
  }
  return { totalBytes, byType, byName };
}

/** Lines saying what grew from `a` to `b`: every type, then the `top` names that grew most. */
export function heapGrowthLines(a: HeapSnapshotStats, b: HeapSnapshotStats, top = 15): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const types = [...new Set([...Object.keys(a.byType), ...Object.keys(b.byType)])].sort();
  const lines = [`total ${kb(a.totalBytes)} → ${kb(b.totalBytes)} (${kb(b.totalBytes - a.totalBytes)})`];
  for (const t of types) lines.push(`  ${t}: ${kb(a.byType[t] ?? 0)} → ${kb(b.byType[t] ?? 0)} (${kb((b.byType[t] ?? 0) - (a.byType[t] ?? 0))})`);
  const diffs = [...new Set([...a.byName.keys(), ...b.byName.keys()])]
    .map((k) => ({ k, bytes: (b.byName.get(k)?.bytes ?? 0) - (a.byName.get(k)?.bytes ?? 0), count: (b.byName.get(k)?.count ?? 0) - (a.byName.get(k)?.count ?? 0) }))
    .sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes))
    .slice(0, top);
  for (const d of diffs) lines.push(`  ${d.bytes >= 0 ? '+' : ''}${kb(d.bytes)} (${d.count >= 0 ? '+' : ''}${d.count}) ${d.k}`);
  return lines;
}
