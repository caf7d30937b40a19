import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { crc32, tableCrc32 } from '../../../../bus/wal/crc32';

describe('crc32', () => {
  it.each([
    ['crc32 (native where this Node has it)', crc32],
    ['the table version (Node before 20.15)', tableCrc32],
  ])('%s matches the published check values and continues from an earlier checksum', (_name, f) => {
    expect(f(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(f(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(f(Buffer.alloc(0))).toBe(0);
    const data = crypto.randomBytes(100);
    expect(f(data, 37, 90, f(data, 10, 37))).toBe(f(data, 10, 90));
    expect(f(data, 10, 90)).toBe(f(data.subarray(10, 90)));
  });

  it('agrees with zlib where this Node has zlib.crc32, for every length around the 8-byte stride and in pieces', () => {
    const z = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    const data = crypto.randomBytes(4096 + 13);
    for (let n = 0; n < 40; n++) {
      const part = data.subarray(0, n);
      if (z) expect(tableCrc32(part)).toBe(z(part));
      // continuing from an earlier checksum equals one pass
      expect(tableCrc32(data, Math.floor(n / 2), n, tableCrc32(data, 0, Math.floor(n / 2)))).toBe(tableCrc32(part));
    }
    if (z) expect(tableCrc32(data)).toBe(z(data));
  });
});
