import { encodeLogsRequestProto, decodeLogsRequestProto, logRecordId, stableStringify } from '../../../../core/otlp';
import { modelLogs } from './model-fixtures';

describe('logRecordId', () => {
  const [base] = modelLogs();
  const { id: _id, ...record } = base;

  test('is pinned: stored records keep their ids across versions (a replay must collapse onto them)', () => {
    const pinned = {
      service: 'checkout',
      scope: { name: 'app', version: '1' },
      timeUs: 1714564800123456,
      observedTimeUs: 1714564800123999,
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'payment "failed" für ORD-1\n\tat x',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      attributes: { 'order.id': 'ORD-1', 'log.file.offset': 42, nested: { b: [1, 2.5, null, true], a: 'x' }, z: -0.5, n: NaN },
      resource: { 'service.name': 'checkout', 'host.name': 'h' },
    };
    expect(logRecordId(pinned)).toBe('80b38cb7bbee30824047472c73797b99');
    expect(logRecordId({ ...pinned, attributes: {} })).toBe('7e08f82182dc21720dd425142bb01642');
  });

  test('decoders skip ids when asked (a receiver that only forwards), and give the same records otherwise', () => {
    const bytes = encodeLogsRequestProto(modelLogs());
    const withIds = decodeLogsRequestProto(bytes).logs;
    const without = decodeLogsRequestProto(bytes, undefined, { ids: false }).logs;
    expect(without.map((l) => l.id)).toEqual(withIds.map(() => ''));
    expect(without.map((l) => ({ ...l, id: '' }))).toEqual(withIds.map((l) => ({ ...l, id: '' })));
  });

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
