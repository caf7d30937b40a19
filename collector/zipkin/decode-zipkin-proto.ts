import net from 'node:net';
import { Reader } from 'protobufjs/minimal';
import { ValidationError } from '../../core/errors';

/**
 * Zipkin's proto3 `ListOfSpans` (zipkin2/zipkin.proto) → the same plain
 * objects its JSON v2 encoding gives (hex ids, dotted/colon IPs, µs numbers),
 * so both encodings go through one translation (zipkin-to-otlp.ts) and one
 * validation. Fields we do not know are skipped; a body that is not valid
 * protobuf is a ValidationError.
 */
export function zipkinProtoToJsonSpans(body: Uint8Array): unknown[] {
  try {
    const r = Reader.create(body);
    const spans: unknown[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 10) spans.push(readSpan(r.bytes()));
      else r.skipType(tag & 7);
    }
    return spans;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`request body is not a Zipkin proto3 ListOfSpans: ${(err as Error).message}`, 'body');
  }
}

const KINDS = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

function readSpan(bytes: Uint8Array): Record<string, unknown> {
  const r = Reader.create(bytes);
  const span: Record<string, unknown> = {};
  const annotations: { timestamp: number; value: string }[] = [];
  const tags: Record<string, string> = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        span.traceId = hex(r.bytes());
        break;
      case 2:
        span.parentId = hex(r.bytes());
        break;
      case 3:
        span.id = hex(r.bytes());
        break;
      case 4: {
        const kind = r.int32();
        span.kind = KINDS[kind] ?? `kind ${kind}`;
        break;
      }
      case 5:
        span.name = r.string();
        break;
      case 6:
        span.timestamp = safeNumber(r.fixed64(), 'timestamp');
        break;
      case 7:
        span.duration = safeNumber(r.uint64(), 'duration');
        break;
      case 8:
        span.localEndpoint = readEndpoint(r.bytes());
        break;
      case 9:
        span.remoteEndpoint = readEndpoint(r.bytes());
        break;
      case 10:
        annotations.push(readAnnotation(r.bytes()));
        break;
      case 11: {
        const [key, value] = readMapEntry(r.bytes());
        tags[key] = value;
        break;
      }
      case 12:
        span.debug = r.bool();
        break;
      case 13:
        span.shared = r.bool();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (annotations.length > 0) span.annotations = annotations;
  if (Object.keys(tags).length > 0) span.tags = tags;
  return span;
}

function readEndpoint(bytes: Uint8Array): Record<string, unknown> {
  const r = Reader.create(bytes);
  const endpoint: Record<string, unknown> = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        endpoint.serviceName = r.string();
        break;
      case 2:
        endpoint.ipv4 = ip(r.bytes(), 4);
        break;
      case 3:
        endpoint.ipv6 = ip(r.bytes(), 16);
        break;
      case 4:
        endpoint.port = r.int32();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return endpoint;
}

function readAnnotation(bytes: Uint8Array): { timestamp: number; value: string } {
  const r = Reader.create(bytes);
  let timestamp = 0;
  let value = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) timestamp = safeNumber(r.fixed64(), 'annotation timestamp');
    else if (tag >>> 3 === 2) value = r.string();
    else r.skipType(tag & 7);
  }
  return { timestamp, value };
}

function readMapEntry(bytes: Uint8Array): [string, string] {
  const r = Reader.create(bytes);
  let key = '';
  let value = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) key = r.string();
    else if (tag >>> 3 === 2) value = r.string();
    else r.skipType(tag & 7);
  }
  return [key, value];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** An IP address of the given length in bytes, as text; other lengths are refused. */
function ip(bytes: Uint8Array, length: 4 | 16): string {
  if (bytes.length !== length) throw new ValidationError(`an endpoint's ipv${length === 4 ? 4 : 6} must be ${length} bytes, got ${bytes.length}`, 'body');
  if (length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  const text = groups.join(':');
  // the shortest form, as Zipkin's JSON writes it
  return net.isIPv6(text) ? compressIpv6(groups) : text;
}

function compressIpv6(groups: string[]): string {
  let best = { at: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

/** protobufjs gives 64-bit integers as Long-like objects (or numbers): µs must fit in a safe integer. */
function safeNumber(value: number | { high: number; low: number }, what: string): number {
  const n = typeof value === 'number' ? value : (value.high >>> 0) * 4294967296 + (value.low >>> 0);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(`a span's ${what} is out of range`, 'body');
  return n;
}
