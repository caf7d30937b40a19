import type Database from 'better-sqlite3';
import { CHUNK_FACT_BYTES, chunkKey, SPAN_CHUNK_MAX, writeFacts } from './span-chunk';

/** Rows read from the old `spans` table per statement (an open iterator would keep the connection busy). */
const PAGE = 4_096;

interface OldSpanRow {
  trace_ref: number;
  span_id: string;
  parent_span_id: string;
  op_id: number;
  kind: number;
  start_us: number;
  duration_us: number;
  status_code: number;
  status_message: string;
  attributes: string;
  resource_id: number;
  events: string | null;
  links: string | null;
  scope_name: string;
  scope_version: string;
}

/**
 * Migration 11: span rows become span chunks (span-chunk.ts), SPAN_CHUNK_MAX spans of a trace per
 * row in key order, as plain SpanTuple arrays (span-chunk.ts); then the old table goes. The stored
 * JSON texts are spliced into the chunk's JSON as they are, not parsed and printed again.
 */
export function migrateSpansToChunks(db: Database.Database): void {
  db.exec(`
    CREATE TABLE span_chunks (
      id INTEGER PRIMARY KEY,
      span_ids TEXT NOT NULL,
      facts BLOB NOT NULL,
      spans TEXT NOT NULL
    );
  `);
  const insert = db.prepare('INSERT INTO span_chunks (id, span_ids, facts, spans) VALUES (?, ?, ?, ?)');
  const first = db.prepare(`SELECT * FROM spans ORDER BY trace_ref, span_id LIMIT ${PAGE}`);
  const next = db.prepare(`SELECT * FROM spans WHERE (trace_ref, span_id) > (?, ?) ORDER BY trace_ref, span_id LIMIT ${PAGE}`);

  let chunk: OldSpanRow[] = [];
  let ordinal = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    const facts = Buffer.alloc(chunk.length * CHUNK_FACT_BYTES);
    chunk.forEach((r, i) => writeFacts(facts, i, r.op_id, r.status_code, r.duration_us));
    insert.run(chunkKey(chunk[0].trace_ref, ordinal), JSON.stringify(chunk.map((r) => r.span_id)), facts, `[${chunk.map(tupleText).join(',')}]`);
    ordinal++;
    chunk = [];
  };

  let page = first.all() as OldSpanRow[];
  while (page.length > 0) {
    for (const row of page) {
      if (chunk.length > 0 && row.trace_ref !== chunk[0].trace_ref) {
        flush();
        ordinal = 0;
      }
      chunk.push(row);
      if (chunk.length === SPAN_CHUNK_MAX) flush();
    }
    const last = page[page.length - 1];
    page = next.all(last.trace_ref, last.span_id) as OldSpanRow[];
  }
  flush();
  db.exec('DROP TABLE spans;');
}

/** The SpanTuple JSON of an old row (attributes, events and links were stored as JSON texts). */
function tupleText(r: OldSpanRow): string {
  const s = JSON.stringify;
  return `[${s(r.span_id)},${s(r.parent_span_id)},${r.op_id},${r.kind},${r.start_us},${r.duration_us},${r.status_code},${s(r.status_message)},${r.attributes},${r.resource_id},${r.events ?? '[]'},${r.links ?? '[]'},${s(r.scope_name)},${s(r.scope_version)}]`;
}
