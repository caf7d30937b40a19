import { chunks, decodeHeaders, fromKafkaMessage, nextOffset, toKafkaMessage } from '../../../../bus/kafka/messages';

describe('Kafka message conversion', () => {
  it('sends value, key and headers as they are, and leaves out what is absent', () => {
    const value = Buffer.from([0, 1, 2]);
    expect(toKafkaMessage({ value, key: 'order-7', headers: { a: '1' } })).toEqual({ value, key: 'order-7', headers: { a: '1' } });
    expect(toKafkaMessage({ value })).toEqual({ value });
    expect(toKafkaMessage({ value, headers: {} })).toEqual({ value });
  });

  it('does not share the caller\'s header object', () => {
    const headers = { a: '1' };
    const out = toKafkaMessage({ value: Buffer.alloc(0), headers });
    (out.headers as Record<string, string>).b = '2';
    expect(headers).toEqual({ a: '1' });
  });

  it.each([
    ['undefined', undefined, undefined],
    ['empty', {}, undefined],
    ['buffers', { a: Buffer.from('x'), b: Buffer.from('ünï') }, { a: 'x', b: 'ünï' }],
    ['strings', { a: 'x' }, { a: 'x' }],
    ['a repeated key keeps the last value', { a: [Buffer.from('1'), Buffer.from('2')] }, { a: '2' }],
    ['undefined values are skipped', { a: undefined, b: Buffer.from('y') }, { b: 'y' }],
  ])('decodes headers: %s', (_name, headers, expected) => {
    expect(decodeHeaders(headers as never)).toEqual(expected);
  });

  it('turns a fetched message into a BusMessage', () => {
    const value = Buffer.from('payload');
    expect(fromKafkaMessage({ key: Buffer.from('k'), value, headers: { h: Buffer.from('v') } })).toEqual({ key: 'k', value, headers: { h: 'v' } });
    expect(fromKafkaMessage({ key: null, value, headers: {} })).toEqual({ value });
  });

  it('turns a tombstone into an empty payload instead of failing', () => {
    expect(fromKafkaMessage({ key: null, value: null, headers: {} }).value).toEqual(Buffer.alloc(0));
  });

  it('commits the offset after the last handled one, beyond 2^53 too', () => {
    expect(nextOffset('0')).toBe('1');
    expect(nextOffset('41')).toBe('42');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });

  it('splits batches into handler-sized pieces in order', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});
