import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { BusMessage } from '../../core/contracts/bus';

/** Our message → what kafkajs sends. Header values go out as UTF-8 strings. */
export function toKafkaMessage(message: BusMessage): Message {
  const out: Message = { value: message.value };
  if (message.key !== undefined) out.key = message.key;
  if (message.headers && Object.keys(message.headers).length > 0) out.headers = { ...message.headers };
  return out;
}

/** What kafkajs fetched → our message. A tombstone (null value) becomes an empty buffer. */
export function fromKafkaMessage(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): BusMessage {
  const out: BusMessage = { value: message.value ?? Buffer.alloc(0) };
  if (message.key !== null && message.key !== undefined) out.key = message.key.toString('utf8');
  const headers = decodeHeaders(message.headers);
  if (headers) out.headers = headers;
  return out;
}

/**
 * Kafka header values are bytes and a key may repeat (kafkajs then gives an
 * array). We decode UTF-8 and keep the last value of a repeated key, as the
 * Java client's `lastHeader` does. No headers → undefined.
 */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined || value === null) continue;
    out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
    any = true;
  }
  return any ? out : undefined;
}

/** The offset to commit after handling `lastOffset`: Kafka commits the next offset to read. */
export function nextOffset(lastOffset: string): string {
  return (BigInt(lastOffset) + 1n).toString();
}

/** Splits a fetched batch into handler-sized pieces, in order. */
export function chunks<T>(items: T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
