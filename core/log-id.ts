import crypto from 'crypto';
import type { LogRecord } from './model';
import { stableStringify } from './otlp/stable-json';

/**
 * Deterministic id of a log record from its content and origin, so a replayed
 * record (an OTLP client retry, a bus redelivery, a shipper re-reading a file)
 * gets the same id and the store's write is idempotent.
 *
 * Hashed: service, resource attributes (host, instance… tell two replicas apart),
 * scope name, time, observed time, severity number and text, body, trace and
 * span id, attributes. Attribute objects are serialised with sorted keys, so
 * key order does not matter. Two genuinely distinct records identical in all
 * of these collapse into one; a shipper that can emit such lines should add
 * a distinguishing attribute (e.g. the file offset).
 *
 * SHA-256 truncated to 128 bits, as 32 lowercase hex characters.
 *
 * `resourceKey`, when given, must be `stableStringify(record.resource)`: decoders
 * compute it once per resource instead of once per record.
 */
export function logRecordId(record: Omit<LogRecord, 'id'>, resourceKey?: string): string {
  const material =
    JSON.stringify([
      record.service,
      record.scope?.name ?? '',
      record.timeUs,
      record.observedTimeUs,
      record.severityNumber,
      record.severityText,
      record.body,
      record.traceId,
      record.spanId,
    ]) +
    '\n' +
    (resourceKey ?? stableStringify(record.resource ?? {})) +
    '\n' +
    stableStringify(record.attributes);
  return sha256Hex(material).slice(0, 32);
}

/** crypto.hash (Node 20.12+, 21.7+) hashes in one call, without a Hash object per record; the same digest either way. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (data: string) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');
