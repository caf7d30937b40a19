import { decodeTraceCursor, encodeTraceCursor } from '../../../query-api/trace-cursor';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('trace search cursor', () => {
  it('reads back what it wrote, for every sort', () => {
    for (const sort of ['newest', 'oldest', 'longest', 'shortest'] as const) {
      const text = encodeTraceCursor(sort, { key: 1_700_000_000_000_123, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
      expect(decodeTraceCursor(text)).toEqual({ sort, cursor: { key: 1_700_000_000_000_123, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } });
    }
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['an object', b64({ sort: 'newest', key: 1, traceId: 'a' })],
    ['an unknown sort', b64(['fastest', 1, 'a'])],
    ['a negative key', b64(['newest', -1, 'a'])],
    ['a fractional key', b64(['newest', 1.5, 'a'])],
    ['an unsafe key', b64(['newest', 2 ** 60, 'a'])],
    ['an empty trace id', b64(['newest', 1, ''])],
    ['a NUL in the trace id', b64(['newest', 1, 'a\0b'])],
    ['a too long trace id', b64(['newest', 1, 'a'.repeat(129)])],
    ['extra items', b64(['newest', 1, 'a', 2])],
  ])('refuses %s', (_name, text) => {
    expect(decodeTraceCursor(text)).toBeUndefined();
  });
});
