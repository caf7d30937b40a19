/**
 * Splits an OTLP protobuf export request into requests of at most `maxBytes`
 * without decoding or re-encoding its items: ExportTraceServiceRequest and
 * ExportLogsServiceRequest share one envelope (`repeated Resource{Spans|Logs} = 1`,
 * each with `resource = 1`, `repeated Scope{Spans|Logs} = 2` and other fields such
 * as schema_url, each scope group with `scope = 1`, `repeated {Span|LogRecord} = 2`
 * and other fields), so each piece is built from the byte ranges of the original:
 * every item once, in order, under a copy of its resource and scope group's
 * other fields. Decoding the pieces gives the items decoding the whole gives.
 *
 * A request within the limit comes back as it is. An item larger than
 * `maxBytes` with its envelope goes alone (over the limit).
 * Returns null when the bytes are not shaped like an export request (unknown
 * top-level fields, groups, lengths past the end): the caller re-encodes instead.
 */
export function splitExportRequestProto(bytes: Uint8Array, maxBytes: number): Buffer[] | null {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length <= maxBytes) return [buf];
  const resources = readEnvelope(buf);
  if (!resources) return null;
  const pieces: Buffer[] = [];
  let piece: PieceResource[] = [];
  let size = 0;
  for (const resource of resources) {
    const resourceOverhead = rangesLength(resource.header) + ENVELOPE_BYTES;
    for (const scope of resource.scopes) {
      const scopeOverhead = rangesLength(scope.header) + ENVELOPE_BYTES;
      for (let i = 0; i < scope.items.length; i += 2) {
        const itemBytes = scope.items[i + 1] - scope.items[i];
        let last: PieceResource | undefined = piece[piece.length - 1];
        let lastScope = last?.resource === resource ? last.scopes[last.scopes.length - 1] : undefined;
        let need = itemBytes + (last?.resource === resource ? 0 : resourceOverhead) + (lastScope?.scope === scope ? 0 : scopeOverhead);
        if (size > 0 && size + need > maxBytes) {
          pieces.push(writePiece(buf, piece));
          piece = [];
          size = 0;
          last = lastScope = undefined;
          need = itemBytes + resourceOverhead + scopeOverhead;
        }
        if (last?.resource !== resource) piece.push((last = { resource, scopes: [] }));
        if (lastScope?.scope !== scope) last.scopes.push((lastScope = { scope, items: [] }));
        lastScope.items.push(scope.items[i], scope.items[i + 1]);
        size += need;
      }
    }
  }
  if (piece.length > 0) pieces.push(writePiece(buf, piece));
  return pieces;
}

/** Tag byte plus the longest length varint of a message below 2^35 bytes. */
const ENVELOPE_BYTES = 6;
const RESOURCE_GROUP_TAG = 10; // field 1, length-delimited
const SCOPE_GROUP_TAG = 18; // field 2, length-delimited
const ITEM_TAG = 18; // field 2, length-delimited

/** Byte ranges as flat [start, end, start, end, …] pairs. */
type Ranges = number[];

interface ScopeGroup {
  /** Fields of the scope group other than its items (scope, schema_url, unknown), tags included. */
  header: Ranges;
  /** Item fields, tag and length included. */
  items: Ranges;
}

interface ResourceGroup {
  /** Fields of the resource group other than its scope groups, tags included. */
  header: Ranges;
  scopes: ScopeGroup[];
}

interface PieceResource {
  resource: ResourceGroup;
  scopes: { scope: ScopeGroup; items: Ranges }[];
}

class Malformed extends Error {}

function readEnvelope(buf: Buffer): ResourceGroup[] | null {
  const cursor = { pos: 0 };
  const resources: ResourceGroup[] = [];
  try {
    while (cursor.pos < buf.length) {
      const tag = readVarint(buf, cursor);
      if (tag !== RESOURCE_GROUP_TAG) return null;
      const end = lengthEnd(buf, cursor, buf.length);
      const resource: ResourceGroup = { header: [], scopes: [] };
      while (cursor.pos < end) {
        const fieldStart = cursor.pos;
        const inner = readVarint(buf, cursor);
        if (inner === SCOPE_GROUP_TAG) {
          const scopeEnd = lengthEnd(buf, cursor, end);
          resource.scopes.push(readScopeGroup(buf, cursor, scopeEnd));
        } else {
          skip(buf, cursor, inner, end);
          resource.header.push(fieldStart, cursor.pos);
        }
      }
      if (cursor.pos !== end) return null;
      resources.push(resource);
    }
  } catch (err) {
    if (err instanceof Malformed) return null;
    throw err;
  }
  return resources;
}

function readScopeGroup(buf: Buffer, cursor: { pos: number }, end: number): ScopeGroup {
  const scope: ScopeGroup = { header: [], items: [] };
  while (cursor.pos < end) {
    const fieldStart = cursor.pos;
    const tag = readVarint(buf, cursor);
    skip(buf, cursor, tag, end);
    (tag === ITEM_TAG ? scope.items : scope.header).push(fieldStart, cursor.pos);
  }
  if (cursor.pos !== end) throw new Malformed();
  return scope;
}

function readVarint(buf: Buffer, cursor: { pos: number }): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= buf.length) throw new Malformed();
    const b = buf[cursor.pos++];
    value += (b & 127) * scale;
    if (b < 128) return value;
    scale *= 128;
  }
  throw new Malformed();
}

/** Reads a length prefix; returns where the field ends (within `limit`). */
function lengthEnd(buf: Buffer, cursor: { pos: number }, limit: number): number {
  const length = readVarint(buf, cursor);
  const end = cursor.pos + length;
  if (end > limit) throw new Malformed();
  return end;
}

/** Skips the value of a field whose tag was read. */
function skip(buf: Buffer, cursor: { pos: number }, tag: number, limit: number): void {
  if (tag >>> 3 === 0) throw new Malformed();
  switch (tag & 7) {
    case 0:
      readVarint(buf, cursor);
      break;
    case 1:
      cursor.pos += 8;
      break;
    case 2:
      cursor.pos = lengthEnd(buf, cursor, limit);
      break;
    case 5:
      cursor.pos += 4;
      break;
    default:
      throw new Malformed();
  }
  if (cursor.pos > limit) throw new Malformed();
}

function rangesLength(ranges: Ranges): number {
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) n += ranges[i + 1] - ranges[i];
  return n;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    out[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function writePiece(buf: Buffer, piece: PieceResource[]): Buffer {
  const resourceBodies = piece.map((r) => {
    const scopeBodies = r.scopes.map((s) => rangesLength(s.scope.header) + rangesLength(s.items));
    const body = rangesLength(r.resource.header) + scopeBodies.reduce((n, len) => n + 1 + varintLength(len) + len, 0);
    return { body, scopeBodies };
  });
  const total = resourceBodies.reduce((n, r) => n + 1 + varintLength(r.body) + r.body, 0);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const copy = (ranges: Ranges) => {
    for (let i = 0; i < ranges.length; i += 2) pos += buf.copy(out, pos, ranges[i], ranges[i + 1]);
  };
  piece.forEach((r, i) => {
    out[pos++] = RESOURCE_GROUP_TAG;
    pos = writeVarint(out, pos, resourceBodies[i].body);
    copy(r.resource.header);
    r.scopes.forEach((s, j) => {
      out[pos++] = SCOPE_GROUP_TAG;
      pos = writeVarint(out, pos, resourceBodies[i].scopeBodies[j]);
      copy(s.scope.header);
      copy(s.items);
    });
  });
  return out;
}
