import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { crc32 } from '../../../bus/wal/crc32';

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with zlib where this Node has zlib.crc32, for every length around the 8-byte stride and in pieces', () => {
    const z = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    const data = crypto.randomBytes(4096 + 13);
    for (let n = 0; n < 40; n++) {
      const part = data.subarray(0, n);
      if (z) expect(crc32(part)).toBe(z(part));
      // continuing from an earlier checksum equals one pass
      expect(crc32(data, Math.floor(n / 2), n, crc32(data, 0, Math.floor(n / 2)))).toBe(crc32(part));
    }
    if (z) expect(crc32(data)).toBe(z(data));
  });
});
