import { bytesToHex } from '../../../../core/otlp/hex';

describe('bytesToHex', () => {
  const bytes = Uint8Array.from([0x00, 0x0f, 0xa0, 0xff, 0x4b, 0xf9, 0x2f, 0x35]);

  it('gives the same lowercase hex from a Buffer (native) and a plain Uint8Array (pairs)', () => {
    const asBuffer = Buffer.from([0xee, ...bytes, 0xee]);
    expect(bytesToHex(asBuffer, 1, 9)).toBe('000fa0ff4bf92f35');
    expect(bytesToHex(bytes, 0, 8)).toBe('000fa0ff4bf92f35');
    expect(bytesToHex(bytes, 2, 2)).toBe('');
  });
});
