import fs from 'node:fs';
import path from 'node:path';
import type { Incident } from '../core/wire/incidents';
import type { AlertInstance } from './alert-state';

/** What the evaluator keeps across restarts. */
export interface AlertState {
  instances: AlertInstance[];
  /** Newest first (alerting/incidents.ts). */
  incidents: Incident[];
}

/**
 * The evaluator's instances and incidents on disk, so a restart neither loses
 * a firing alert (it is re-sent with its startsAt; Alertmanager merges it with
 * the one it holds) nor waits `for` again, an alert that stopped during the
 * restart is resolved, and the incidents and their ids survive. One file, so
 * instances and incidents never disagree; written whole to a temporary file,
 * then renamed.
 */
export function readAlertState(file: string): AlertState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { instances: [], incidents: [] };
  }
  try {
    const parsed = JSON.parse(text) as { instances?: AlertInstance[]; incidents?: Incident[] };
    return {
      instances: Array.isArray(parsed.instances) ? parsed.instances.filter((i) => typeof i?.key === 'string' && typeof i.rule === 'string') : [],
      // a file written before incidents existed has none
      incidents: Array.isArray(parsed.incidents) ? parsed.incidents.filter((i) => typeof i?.id === 'string' && typeof i.rule === 'string') : [],
    };
  } catch {
    // a torn or foreign file: start afresh rather than not at all
    return { instances: [], incidents: [] };
  }
}

export function writeAlertState(file: string, state: AlertState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, instances: state.instances, incidents: state.incidents }));
  fs.renameSync(tmp, file);
}
