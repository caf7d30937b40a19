import zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of gzip
 * and PNG. zlib.crc32 (native, Node 20.15 / 22.2 on) when this Node has it:
 * in JavaScript it was the receiver thread's largest cost at full speed (every
 * request's bytes are checked when framed and again when read back). We
 * support Node 20.6, so otherwise it is computed here from a table, eight
 * bytes at a time ("slicing by 8").
 */
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let t = 1; t < 8; t++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[t][n] = c >>> 0;
    }
  }
  return tables;
})();

/** The CRC-32 of `bytes[start, end)`, continuing from `crc` (0 for a fresh checksum). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  if (nativeCrc32) return nativeCrc32(bytes.subarray(start, end), crc);
  return tableCrc32(bytes, start, end, crc);
}

/** The table-driven CRC-32 (exported so its agreement with zlib's can be tested). */
export function tableCrc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < end; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
