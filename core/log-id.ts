import { createHash } from 'crypto';
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
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
