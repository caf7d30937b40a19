import { extractBusinessKeys, extractTraceContext } from '../../../../collector/shipper/extract-context';

describe('trace context and business keys', () => {
  const trace = '0af7651916cd43dd8448eb211c80319c';
  const span = 'b7ad6b7169203331';

  it('takes ids from fields (any common spelling) and removes them', () => {
    const fields = { traceId: trace.toUpperCase(), span_id: span, other: 1 };
    expect(extractTraceContext(fields, '')).toEqual({ traceId: trace, spanId: span });
    expect(fields).toEqual({ other: 1 });
  });

  it('finds ids in text and ignores malformed or all-zero ones', () => {
    expect(extractTraceContext({}, `x trace_id=${trace} span_id=${span} y`)).toEqual({ traceId: trace, spanId: span });
    expect(extractTraceContext({}, 'trace_id=123 span_id=abc')).toEqual({ traceId: '', spanId: '' });
    expect(extractTraceContext({ trace_id: '0'.repeat(32) }, '')).toEqual({ traceId: '', spanId: '' });
  });

  it('copies business keys from other spellings and from text', () => {
    const out: Record<string, any> = {};
    extractBusinessKeys({ order_id: 'ORD-1', customerId: 'C-9' }, '', ['order.id', 'customer.id'], out);
    expect(out).toEqual({ 'order.id': 'ORD-1', 'customer.id': 'C-9' });
    const fromText: Record<string, any> = {};
    extractBusinessKeys({}, 'paid order.id=ORD-42 ok', ['order.id'], fromText);
    expect(fromText).toEqual({ 'order.id': 'ORD-42' });
  });
});
