import fs from 'node:fs';
import path from 'node:path';
import type { AlertStateStore } from '../core/contracts/alert-state-store';
import type { Incident } from '../core/wire/incidents';
import type { AlertInstance } from './alert-state';

/** What the evaluator keeps across restarts and hands to the next leading alerter. */
export interface AlertState {
  instances: AlertInstance[];
  /** Newest first (alerting/incidents.ts). */
  incidents: Incident[];
}

/**
 * The evaluator's instances and incidents as saved text, so a restart (or a
 * standby taking over) neither loses a firing alert (it is re-sent with its
 * startsAt; Alertmanager merges it with the one it holds) nor waits `for`
 * again, an alert that stopped meanwhile is resolved, and the incidents and
 * their ids survive. One text, so instances and incidents never disagree.
 */
export function serializeAlertState(state: AlertState): string {
  return JSON.stringify({ version: 1, instances: state.instances, incidents: state.incidents });
}

/** The state of saved text; empty for no text, a torn or a foreign one (start afresh rather than not at all). */
export function parseAlertState(text: string | null): AlertState {
  if (text === null) return { instances: [], incidents: [] };
  try {
    const parsed = JSON.parse(text) as { instances?: AlertInstance[]; incidents?: Incident[] };
    return {
      instances: Array.isArray(parsed.instances) ? parsed.instances.filter((i) => typeof i?.key === 'string' && typeof i.rule === 'string') : [],
      // a state saved before incidents existed has none
      incidents: Array.isArray(parsed.incidents) ? parsed.incidents.filter((i) => typeof i?.id === 'string' && typeof i.rule === 'string') : [],
    };
  } catch {
    return { instances: [], incidents: [] };
  }
}

/**
 * The state of the one evaluator of an all-in-one: DATA_DIR/alerts/state.json,
 * written whole to a temporary file, then renamed. Its process is the only
 * evaluator there, so it always leads.
 */
export class FileAlertStateStore implements AlertStateStore {
  constructor(private readonly file: string) {}

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async lead(): Promise<boolean> {
    return true;
  }

  async read(): Promise<string | null> {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }
  }

  async write(_holder: string, state: string): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, state);
    fs.renameSync(tmp, this.file);
  }
}
