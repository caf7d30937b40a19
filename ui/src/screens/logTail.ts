import type { LogTailRow } from '../../../core/wire';

/**
 * A log-stream panel's rows across pushes: every push brings the newest
 * matching records; the panel keeps what it showed, adds what is new on top
 * and keeps `limit` rows, newest first (ties by id, so the order never
 * flickers). Pure: tested in test/unit/ui/log-tail.test.ts.
 */
export function mergeTail(kept: readonly LogTailRow[], incoming: readonly LogTailRow[], limit: number): { rows: LogTailRow[]; fresh: Set<string> } {
  const byId = new Map<string, LogTailRow>();
  for (const row of kept) byId.set(row.id, row);
  const fresh = new Set<string>();
  for (const row of incoming) {
    if (!byId.has(row.id)) fresh.add(row.id);
    byId.set(row.id, row);
  }
  const rows = [...byId.values()].sort((a, b) => b.timeUs - a.timeUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, Math.max(0, limit));
  const shown = new Set(rows.map((r) => r.id));
  for (const id of fresh) if (!shown.has(id)) fresh.delete(id);
  return { rows, fresh };
}
