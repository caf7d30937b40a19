import type Database from 'better-sqlite3';
import {
  assembleServiceStats,
  assembleTopology,
  checkStatsServices,
  checkStep,
  latencyMinuteRange,
  minuteRange,
  type EdgeRollupRow,
  type OperationRollupRow,
  type ServiceRollupRow,
} from '../../core/analysis/topology-assemble';
import type { LatencyBucketCount } from '../../core/analysis/latency-heatmap';
import type { TimeWindow } from '../../core/model';
import type { ServiceStats, Topology } from '../../core/topology';
import type { EmbeddedDatabase } from './database';

/** Caps on roll-up rows one answer reads (a window's rows are summed by SQLite first, so these are distinct groups). */
export const EMBEDDED_TOPOLOGY_LIMITS = { edgeRows: 200_000, serviceRows: 200_000, aliases: 100_000, services: 10_000 } as const;

/** topology(), serviceStats() and latencyMinutes() from the per-minute roll-ups; never reads spans. */
export class TopologyReader {
  private readonly edgeRows: Database.Statement<[number, number, number], EdgeRollupRow>;
  private readonly serviceRows: Database.Statement<[number, number, number], ServiceRollupRow>;
  private readonly opRows: Database.Statement<[string, number, number, number], OperationRollupRow>;
  private readonly aliases: Database.Statement<[number], { peer: string }>;
  private readonly services: Database.Statement<[number], { service: string }>;
  private readonly latencyRows: Database.Statement<[number, number], LatencyBucketCount>;
  private readonly serviceLatencyRows: Database.Statement<[string, number, number], LatencyBucketCount>;

  constructor(edb: EmbeddedDatabase) {
    const db = edb.db;
    this.edgeRows = db.prepare(
      `SELECT source, source_kind AS sourceKind, target, target_kind AS targetKind, kind, bucket,
              sum(calls) AS calls, sum(errors) AS errors
       FROM topo_edge_minutes WHERE minute >= ? AND minute <= ?
       GROUP BY source, source_kind, target, target_kind, kind, bucket LIMIT ?`,
    );
    this.serviceRows = db.prepare(
      `SELECT service, bucket, sum(calls) AS calls, sum(errors) AS errors
       FROM topo_op_minutes WHERE minute >= ? AND minute <= ?
       GROUP BY service, bucket LIMIT ?`,
    );
    this.opRows = db.prepare(
      `SELECT minute, operation, bucket, calls, errors
       FROM topo_op_minutes INDEXED BY topo_op_minutes_service
       WHERE service = ? AND minute >= ? AND minute <= ? LIMIT ?`,
    );
    this.latencyRows = db.prepare(
      `SELECT minute, bucket, sum(calls) AS count FROM topo_op_minutes
       WHERE minute >= ? AND minute <= ? GROUP BY minute, bucket ORDER BY minute, bucket`,
    );
    this.serviceLatencyRows = db.prepare(
      `SELECT minute, bucket, sum(calls) AS count FROM topo_op_minutes INDEXED BY topo_op_minutes_service
       WHERE service = ? AND minute >= ? AND minute <= ? GROUP BY minute, bucket ORDER BY minute, bucket`,
    );
    this.aliases = db.prepare('SELECT DISTINCT peer FROM topo_aliases LIMIT ?');
    this.services = db.prepare('SELECT DISTINCT service FROM operations LIMIT ?');
  }

  topology(window: TimeWindow): Topology {
    const r = minuteRange(window);
    const L = EMBEDDED_TOPOLOGY_LIMITS;
    return assembleTopology(this.edgeRows.all(r.fromMinute, r.toMinute, L.edgeRows), this.serviceRows.all(r.fromMinute, r.toMinute, L.serviceRows), {
      services: new Set(this.services.all(L.services).map((x) => x.service)),
      aliasPeers: new Set(this.aliases.all(L.aliases).map((x) => x.peer)),
    });
  }

  serviceStats(service: string, window: TimeWindow, stepUs: number): ServiceStats {
    return this.servicesStats([service], window, stepUs)[0];
  }

  servicesStats(services: readonly string[], window: TimeWindow, stepUs: number): ServiceStats[] {
    checkStatsServices(services);
    const r = minuteRange(window);
    checkStep(stepUs, r);
    return services.map((service) => assembleServiceStats(service, r, stepUs, this.opRows.all(service, r.fromMinute, r.toMinute, EMBEDDED_TOPOLOGY_LIMITS.serviceRows * 5)));
  }

  latencyMinutes(window: TimeWindow, service?: string): LatencyBucketCount[] {
    const r = latencyMinuteRange(window);
    return service === undefined ? this.latencyRows.all(r.fromMinute, r.toMinute) : this.serviceLatencyRows.all(service, r.fromMinute, r.toMinute);
  }
}
