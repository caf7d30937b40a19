import fs from 'node:fs';
import path from 'node:path';
import type { AlertInstance } from './alert-state';

/**
 * The evaluator's instances on disk, so a restart neither loses a firing
 * alert (it is re-sent with its startsAt; Alertmanager merges it with the one
 * it holds) nor waits `for` again, and an alert that stopped during the
 * restart is resolved. Written whole to a temporary file, then renamed.
 */
export function readAlertState(file: string): AlertInstance[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { instances?: AlertInstance[] };
    return Array.isArray(parsed.instances) ? parsed.instances.filter((i) => typeof i?.key === 'string' && typeof i.rule === 'string') : [];
  } catch {
    // a torn or foreign file: start afresh rather than not at all
    return [];
  }
}

export function writeAlertState(file: string, instances: readonly AlertInstance[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, instances }));
  fs.renameSync(tmp, file);
}
