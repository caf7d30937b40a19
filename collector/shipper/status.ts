import path from 'node:path';
import type { TailedFile } from './tailed-file';

export interface ShipperStats {
  /** Lines of files no longer followed (open files count their own). */
  linesRead: number;
  recordsRead: number;
  shipped: number;
  retried: number;
  /** Records the collector refused for good (4xx other than 408/429). */
  dropped: number;
  /** Records the format's parser could not read (shipped whole as the body). */
  unparsed: number;
  requests: number;
  /** When the collector stopped answering (ms), 0 while it answers. */
  waitingSince: number;
  lastError: string;
}

/** Most files named in one status line (largest lag first). */
const MAX_FILES_SHOWN = 5;

/** One line: counters, collector state, and the lag in bytes of the files furthest behind. */
export function formatStatus(stats: ShipperStats, files: readonly TailedFile[]): string {
  const lines = files.reduce((n, f) => n + f.linesRead, stats.linesRead);
  const parts = [
    `lines read ${lines}`,
    `records ${stats.recordsRead}`,
    `shipped ${stats.shipped}`,
    `retried ${stats.retried}`,
  ];
  if (stats.dropped) parts.push(`refused ${stats.dropped}`);
  if (stats.unparsed) parts.push(`unparsed ${stats.unparsed}`);
  if (stats.waitingSince) parts.push(`collector unavailable for ${Math.round((Date.now() - stats.waitingSince) / 1000)} s (${stats.lastError}), reading paused`);
  const lagging = [...files].sort((a, b) => b.lagBytes - a.lagBytes).slice(0, MAX_FILES_SHOWN);
  const lag = lagging.map((f) => `${path.basename(f.path)}${f.rotated ? ' (rotated)' : ''} ${f.lagBytes} B`).join(', ');
  return `chainscope ship: ${parts.join(', ')}; files ${files.length}${lag ? `, lag: ${lag}` : ''}`;
}
