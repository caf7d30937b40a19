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
  /**
   * V8's number-to-string caches (bytes): Smis and doubles each turned into
   * text look their string up there; each table grows for good to its full
   * size on its first collision (smi 1 → 64 KiB, double 1.5 → 48 KiB).
   */
  numberStringCaches: { smi: number; double: number };
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
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
  const numberStringCaches = { smi: 0, double: 0 };
  const edgeFields = snap.snapshot.meta.edge_fields;
  const [edgeNameAt, edgeToAt] = ['name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f));
  const edgeCountAt = fields.indexOf('edge_count');
  const byType: Record<string, number> = {};
  let edge = 0;
  const byName = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = typeNames[snap.nodes[i + typeAt]];
    const size = snap.nodes[i + sizeAt];
    totalBytes += size;
    const edges = snap.nodes[i + edgeCountAt];
    // the caches hang off V8's strong roots, by name
    if (snap.strings[snap.nodes[i + nameAt]] === '(Strong root list)') {
      for (let e = edge; e < edge + edges * edgeFields.length; e += edgeFields.length) {
        const root = snap.strings[snap.edges[e + edgeNameAt]];
        const cacheSize = snap.nodes[snap.edges[e + edgeToAt] + sizeAt];
        if (root === 'smi_string_cache') numberStringCaches.smi = cacheSize;
        else if (root === 'double_string_cache') numberStringCaches.double = cacheSize;
      }
    }
    edge += edges * edgeFields.length;
    byType[type] = (byType[type] ?? 0) + size;
    const key = UNNAMED.has(type) ? type : `${type}:${snap.strings[snap.nodes[i + nameAt]].slice(0, 80)}`;
    const entry = byName.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count++;
    byName.set(key, entry);
  }
  // older snapshots name the double cache's node only
  numberStringCaches.double ||= byName.get('native:system / DoubleStringCache')?.bytes ?? 0;
  return { totalBytes, byType, byName, numberStringCaches };
}

/** Lines saying what grew from `a` to `b`: every type, then the `top` names that grew most. */
export function heapGrowthLines(a: HeapSnapshotStats, b: HeapSnapshotStats, top = 15): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const types = [...new Set([...Object.keys(a.byType), ...Object.keys(b.byType)])].sort();
  const caches = (c: HeapSnapshotStats['numberStringCaches']) => `smi ${kb(c.smi)}, double ${kb(c.double)}`;
  const lines = [
    `total ${kb(a.totalBytes)} → ${kb(b.totalBytes)} (${kb(b.totalBytes - a.totalBytes)})`,
    `  number-string caches: ${caches(a.numberStringCaches)} → ${caches(b.numberStringCaches)}`,
  ];
  for (const t of types) lines.push(`  ${t}: ${kb(a.byType[t] ?? 0)} → ${kb(b.byType[t] ?? 0)} (${kb((b.byType[t] ?? 0) - (a.byType[t] ?? 0))})`);
  const diffs = [...new Set([...a.byName.keys(), ...b.byName.keys()])]
    .map((k) => ({ k, bytes: (b.byName.get(k)?.bytes ?? 0) - (a.byName.get(k)?.bytes ?? 0), count: (b.byName.get(k)?.count ?? 0) - (a.byName.get(k)?.count ?? 0) }))
    .sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes))
    .slice(0, top);
  for (const d of diffs) lines.push(`  ${d.bytes >= 0 ? '+' : ''}${kb(d.bytes)} (${d.count >= 0 ? '+' : ''}${d.count}) ${d.k}`);
  return lines;
}
