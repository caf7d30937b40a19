import { encodeLogsRequestProto, decodeLogsRequestProto, logRecordId, stableStringify } from '../../../core/otlp';
import { modelLogs } from './model-fixtures';

describe('logRecordId', () => {
  const [base] = modelLogs();
  const { id: _id, ...record } = base;

  test('32 lowercase hex characters, stable across calls and attribute/resource key order', () => {
    const id = logRecordId(record);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(logRecordId(record)).toBe(id);
    const reordered = {
      ...record,
      attributes: Object.fromEntries(Object.entries(record.attributes).reverse()),
      resource: Object.fromEntries(Object.entries(record.resource).reverse()),
    };
    expect(logRecordId(reordered)).toBe(id);
    expect(logRecordId(record, stableStringify(record.resource))).toBe(id);
  });

  test('changes with content and origin', () => {
    const id = logRecordId(record);
    const variants = [
      { body: record.body + '!' },
      { timeUs: record.timeUs + 1 },
      { observedTimeUs: record.observedTimeUs + 1 },
      { severityNumber: 10 },
      { severityText: 'WARN' },
      { traceId: '' },
      { spanId: '' },
      { service: 'other' },
      { attributes: { ...record.attributes, extra: 1 } },
      { attributes: { ...record.attributes, n: '3' } }, // string vs number
      { resource: { ...record.resource, 'host.name': 'h2' } },
      { scope: { name: 'other-logger', version: '1.0.0' } },
    ];
    const ids = variants.map((v) => logRecordId({ ...record, ...v }));
    for (const other of ids) expect(other).not.toBe(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a replayed request gives the same ids', () => {
    const bytes = encodeLogsRequestProto(modelLogs());
    expect(decodeLogsRequestProto(bytes).logs.map((l) => l.id)).toEqual(decodeLogsRequestProto(Buffer.from(bytes)).logs.map((l) => l.id));
    expect(decodeLogsRequestProto(bytes).logs.map((l) => l.id)).toEqual(modelLogs().map((l) => l.id));
  });
});
