import {
  decodeLogsRequestProto,
  decodeTraceRequestProto,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
  splitExportRequestProto,
} from '../../../../core/otlp';
import type { LogRecord } from '../../../../core/model';
import { modelLogs, modelSpans } from './model-fixtures';

/** Many records over three resources and two scopes, with bodies of varying size. */
function manyLogs(n: number): LogRecord[] {
  const base = modelLogs();
  return Array.from({ length: n }, (_, i) => {
    const log = base[i % base.length];
    return { ...log, timeUs: log.timeUs + i, body: `${log.body} #${i} ${'x'.repeat(i % 300)}` };
  });
}

describe('splitExportRequestProto', () => {
  test('pieces stay under the limit and decode to the same records, in order, with the same ids', () => {
    const bytes = Buffer.from(encodeLogsRequestProto(manyLogs(500)));
    const whole = decodeLogsRequestProto(bytes).logs;
    for (const max of [1024, 10_000, 64 * 1024]) {
      const pieces = splitExportRequestProto(bytes, max)!;
      expect(pieces.length).toBeGreaterThan(1);
      for (const p of pieces) expect(p.length).toBeLessThanOrEqual(max);
      const decoded = pieces.flatMap((p) => {
        const d = decodeLogsRequestProto(p);
        expect(d.rejected).toBe(0);
        return d.logs;
      });
      expect(decoded).toEqual(whole);
    }
  });

  test('a request under the limit comes back as one piece with the same bytes', () => {
    const bytes = Buffer.from(encodeLogsRequestProto(manyLogs(20)));
    expect(splitExportRequestProto(bytes, bytes.length)).toEqual([bytes]);
  });

  test('splits trace requests the same way (one envelope for both signals)', () => {
    const spans = modelSpans();
    const bytes = Buffer.from(encodeTraceRequestProto(spans));
    const pieces = splitExportRequestProto(bytes, 600)!;
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.flatMap((p) => decodeTraceRequestProto(p).spans)).toEqual(decodeTraceRequestProto(bytes).spans);
  });

  test('an item larger than the limit goes alone', () => {
    const logs = manyLogs(3);
    logs[1] = { ...logs[1], body: 'y'.repeat(5000) };
    const bytes = Buffer.from(encodeLogsRequestProto(logs));
    const pieces = splitExportRequestProto(bytes, 1000)!;
    const counts = pieces.map((p) => decodeLogsRequestProto(p).logs.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    const big = pieces.find((p) => p.length > 1000)!;
    expect(decodeLogsRequestProto(big).logs.map((l) => l.body)).toEqual(['y'.repeat(5000)]);
  });

  test('keeps other fields of resource and scope groups (schema_url) in every piece', () => {
    const log = manyLogs(1)[0];
    const item = Buffer.from(encodeLogsRequestProto([log]));
    // Append schema_url (field 3) to the resource group and re-frame it by hand.
    const schema = Buffer.concat([Buffer.from([0x1a, 5]), Buffer.from('s/1.0')]);
    const inner = item.subarray(2 + (item[1] >= 128 ? 1 : 0));
    const group = Buffer.concat([inner, schema]);
    const twice = Buffer.concat([Buffer.from([0x0a]), varint(group.length), group]);
    const pieces = splitExportRequestProto(Buffer.concat([twice, twice]), twice.length)!;
    expect(pieces).toHaveLength(2);
    for (const p of pieces) expect(p.includes(Buffer.from('s/1.0'))).toBe(true);
  });

  test('returns null for bytes that are not an export request', () => {
    expect(splitExportRequestProto(Buffer.from([0x12, 0x01, 0x00]), 2)).toBeNull(); // field 2 at top level
    expect(splitExportRequestProto(Buffer.from([0x0a, 0x7f, 0x00]), 2)).toBeNull(); // length past the end
    expect(splitExportRequestProto(Buffer.from([0x0a, 0x02, 0x0b, 0x00]), 2)).toBeNull(); // a group
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
