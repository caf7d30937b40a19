import type { ClickHouseClient } from '@clickhouse/client';
import { MAX_ALERT_STATE_BYTES, type AlertStateStore } from '../../core/contracts/alert-state-store';
import { BackendUnavailableError, ValidationError } from '../../core/errors';
import { toStoreError } from './errors';
import { openClient } from './connection';
import { qualifiedName, quoteIdentifier, quoteString, quoteUInt } from './quote';

export interface ClickHouseAlertStateOptions {
  url: string;
  /** The span store's database (CLICKHOUSE_DATABASE); the two small tables live beside its tables. */
  database: string;
  username?: string;
  password?: string;
}

const LEASE = 'alerter_lease';
const STATE = 'alerter_state';
/** The server's clock in ms (whole seconds: 18.16 has no sub-second now()), so alerters on hosts with different clocks agree. */
const SERVER_NOW_MS = 'toUInt64(toUnixTimestamp(now())) * 1000';

/** The two tables: lease claims (one row per term and holder once merged) and saved states (one per term once merged). */
export function alertStateSchema(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(db)}`,
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(db, LEASE)} (term UInt64, holder String, expires_ms UInt64) ENGINE = ReplacingMergeTree(expires_ms) ORDER BY (term, holder)`,
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(db, STATE)} (term UInt64, holder String, saved_seq UInt64, state String) ENGINE = ReplacingMergeTree(saved_seq) ORDER BY term`,
  ];
}

/** The claims of the newest term, lowest holder first (the leader of a term is its lowest holder), with the server's time. */
export function newestTermClaimsSql(db: string): string {
  const lease = qualifiedName(db, LEASE);
  return `SELECT term, holder, max(expires_ms) AS expires_ms, ${SERVER_NOW_MS} AS now_ms
FROM ${lease}
WHERE term = (SELECT max(term) FROM ${lease})
GROUP BY term, holder
ORDER BY holder
LIMIT 1`;
}

/** A claim or renewal of `term` by `holder` until the server's now + ttlMs; a holder of '' with ttl 0 gives the term up. */
export function claimSql(db: string, term: number, holder: string, ttlMs: number): string {
  return `INSERT INTO ${qualifiedName(db, LEASE)} (term, holder, expires_ms) SELECT ${quoteUInt(term)}, ${quoteString(holder)}, ${ttlMs === 0 ? '0' : `${SERVER_NOW_MS} + ${quoteUInt(ttlMs)}`}`;
}

export function latestStateSql(db: string): string {
  return `SELECT state FROM ${qualifiedName(db, STATE)} ORDER BY term DESC, saved_seq DESC LIMIT 1`;
}

interface ClaimRow {
  term: string;
  holder: string;
  expires_ms: string;
  now_ms: string;
}

/**
 * The alerters' lease and alert state in ClickHouse (docs/alerts.md, "Running
 * twice"). ClickHouse has no compare-and-set, so the lease is a sequence of
 * terms: every alerter reads the claims of the newest term; its leader is the
 * claim with the lowest holder id, alive while its expiry (server time) lies
 * ahead. The leader renews its claim each evaluation. When the leader's claim
 * ran out (or was given up), whoever notices claims the next term and waits
 * one evaluation: alerters that claimed it at the same time then all read the
 * same claims and agree on the lowest holder. The state is saved with the
 * term it was made in, and the newest term's latest save is the state, so a
 * holder that lost its term cannot overwrite its successor's.
 */
export class ClickHouseAlertStateStore implements AlertStateStore {
  private client: ClickHouseClient | undefined;
  private closed = false;
  /** The term this process leads (0: none). */
  private term = 0;
  private lastSeq = 0;

  constructor(private readonly options: ClickHouseAlertStateOptions) {
    quoteIdentifier(options.database);
  }

  async start(): Promise<void> {
    const client = openClient(this.options);
    this.client = client;
    try {
      for (const ddl of alertStateSchema(this.options.database)) await client.command({ query: ddl });
    } catch (err) {
      throw toStoreError('alert state start', err);
    }
  }

  async lead(holder: string, ttlMs: number): Promise<boolean> {
    if (holder === '') throw new ValidationError('an alerter needs a holder id', 'holder');
    const db = this.options.database;
    const [leader] = await this.select<ClaimRow>(newestTermClaimsSql(db), 'alert lease');
    const term = leader ? Number(leader.term) : 0;
    const alive = leader !== undefined && Number(leader.expires_ms) > Number(leader.now_ms);
    if (alive && leader.holder === holder) {
      await this.command(claimSql(db, term, holder, ttlMs), 'alert lease');
      this.term = term;
      return true;
    }
    this.term = 0;
    if (!alive) await this.command(claimSql(db, term + 1, holder, ttlMs), 'alert lease');
    return false;
  }

  async read(): Promise<string | null> {
    const [row] = await this.select<{ state: string }>(latestStateSql(this.options.database), 'alert state');
    return row?.state ?? null;
  }

  async write(holder: string, state: string): Promise<void> {
    if (this.term === 0) throw new BackendUnavailableError(`alert state: ${holder} holds no lease, so it saves nothing`);
    if (Buffer.byteLength(state) > MAX_ALERT_STATE_BYTES) throw new ValidationError(`alert state of ${Buffer.byteLength(state)} bytes is over ${MAX_ALERT_STATE_BYTES}`, 'state');
    // one writer per term, so its own clock orders its saves
    this.lastSeq = Math.max(Date.now(), this.lastSeq + 1);
    try {
      await this.ready().insert({ table: qualifiedName(this.options.database, STATE), values: [{ term: this.term, holder, saved_seq: this.lastSeq, state }], format: 'JSONEachRow' });
    } catch (err) {
      throw toStoreError('alert state', err);
    }
  }

  async shutdown(holder?: string): Promise<void> {
    if (this.closed) return;
    try {
      // give the term up: the next term, claimed by nobody and already over, lets a standby claim at once
      if (holder !== undefined && this.term > 0) await this.command(claimSql(this.options.database, this.term + 1, '', 0), 'alert lease').catch(() => undefined);
    } finally {
      this.closed = true;
      this.term = 0;
      await this.client?.close();
    }
  }

  private ready(): ClickHouseClient {
    if (this.closed) throw new BackendUnavailableError('clickhouse alert state is shut down');
    if (!this.client) throw new BackendUnavailableError('clickhouse alert state is not started');
    return this.client;
  }

  private async select<T>(query: string, what: string): Promise<T[]> {
    try {
      const result = await this.ready().query({ query, format: 'JSONEachRow' });
      return await result.json<T>();
    } catch (err) {
      throw toStoreError(what, err);
    }
  }

  private async command(query: string, what: string): Promise<void> {
    try {
      await this.ready().command({ query });
    } catch (err) {
      throw toStoreError(what, err);
    }
  }
}
