import { startRole, type RoleOptions, type RunningRole } from './run-role';

export type AllInOneOptions = RoleOptions;
export type RunningAllInOne = RunningRole;

/**
 * The all-in-one deployment: collector, bus, ingest, stores, query API + UI and
 * (unless switched off) the demo order center, in one process. In-process bus
 * and embedded store by default; BUS/SPAN_STORE/LOG_STORE may point it at real engines.
 */
export function startAllInOne(options: AllInOneOptions = {}): Promise<RunningAllInOne> {
  return startRole('all-in-one', options);
}
