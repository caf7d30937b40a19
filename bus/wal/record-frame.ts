import type { BusMessage } from '../../core/contracts/bus';
import { crc32 } from './crc32';

/**
 * One record on disk:
 *
 *   u32 payload length | u32 CRC-32 of the payload | payload
 *   payload = u8 format (1) | u8 flags (bit 0: has key)
 *             | [u32 key length | key UTF-8]      (when it has a key)
 *             | u32 headers length | headers JSON (length 0: no headers)
 *             | value bytes (the rest)
 *
 * Integers are little-endian. The CRC catches a torn or rotten record; the
 * length lets a reader skip to the next one without decoding.
 */
export const FRAME_HEADER_BYTES = 8;
const FORMAT = 1;
const HAS_KEY = 1;

export function encodeFrame(message: BusMessage): Buffer {
  const key = message.key === undefined ? null : Buffer.from(message.key, 'utf8');
  const headers = message.headers && Object.keys(message.headers).length > 0 ? Buffer.from(JSON.stringify(message.headers), 'utf8') : null;
  const payloadBytes = 2 + (key ? 4 + key.length : 0) + 4 + (headers?.length ?? 0) + message.value.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
  let at = FRAME_HEADER_BYTES;
  frame[at++] = FORMAT;
  frame[at++] = key ? HAS_KEY : 0;
  if (key) {
    frame.writeUInt32LE(key.length, at);
    at += 4 + key.copy(frame, at + 4);
  }
  frame.writeUInt32LE(headers?.length ?? 0, at);
  at += 4;
  if (headers) at += headers.copy(frame, at);
  message.value.copy(frame, at);
  frame.writeUInt32LE(payloadBytes, 0);
  frame.writeUInt32LE(crc32(frame, FRAME_HEADER_BYTES), 4);
  return frame;
}

export type FrameRead =
  | { kind: 'record'; message: BusMessage; frameBytes: number }
  /** Not enough bytes for the whole frame: the end of what is written (or a torn tail). */
  | { kind: 'incomplete'; frameBytes: number | null }
  | { kind: 'corrupt'; reason: string };

/**
 * Reads the frame starting at `at` in `bytes` (which may end mid-frame).
 * `maxFrameBytes` bounds a believable length, so a rotten length field is
 * reported as corrupt rather than waited for.
 */
export function decodeFrame(bytes: Buffer, at: number, maxFrameBytes: number): FrameRead {
  if (bytes.length - at < FRAME_HEADER_BYTES) return { kind: 'incomplete', frameBytes: null };
  const payloadBytes = bytes.readUInt32LE(at);
  const frameBytes = FRAME_HEADER_BYTES + payloadBytes;
  if (payloadBytes < 6 || frameBytes > maxFrameBytes) return { kind: 'corrupt', reason: `implausible record length ${payloadBytes}` };
  if (bytes.length - at < frameBytes) return { kind: 'incomplete', frameBytes };
  const start = at + FRAME_HEADER_BYTES;
  const end = at + frameBytes;
  if (crc32(bytes, start, end) !== bytes.readUInt32LE(at + 4)) return { kind: 'corrupt', reason: 'CRC mismatch' };
  const message = decodePayload(bytes, start, end);
  return message ? { kind: 'record', message, frameBytes } : { kind: 'corrupt', reason: 'malformed record' };
}

function decodePayload(bytes: Buffer, start: number, end: number): BusMessage | null {
  let at = start;
  if (bytes[at++] !== FORMAT) return null;
  const flags = bytes[at++];
  const message: BusMessage = { value: Buffer.alloc(0) };
  if (flags & HAS_KEY) {
    if (at + 4 > end) return null;
    const keyBytes = bytes.readUInt32LE(at);
    at += 4;
    if (at + keyBytes > end) return null;
    message.key = bytes.toString('utf8', at, at + keyBytes);
    at += keyBytes;
  }
  if (at + 4 > end) return null;
  const headerBytes = bytes.readUInt32LE(at);
  at += 4;
  if (at + headerBytes > end) return null;
  if (headerBytes > 0) {
    try {
      message.headers = JSON.parse(bytes.toString('utf8', at, at + headerBytes)) as Record<string, string>;
    } catch {
      return null;
    }
    at += headerBytes;
  }
  // A copy, so a batch does not pin the whole chunk it was read from.
  message.value = Buffer.from(bytes.subarray(at, end));
  return message;
}
