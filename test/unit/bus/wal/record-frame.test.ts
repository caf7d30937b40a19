import { decodeFrame, encodeFrame } from '../../../../bus/wal/record-frame';

describe('record frame', () => {
  it('round-trips key, headers and value bytes, and a message with none of them', () => {
    const value = Buffer.from([0, 1, 2, 255, 254]);
    for (const message of [{ key: 'trace-ä', headers: { 'x-reason': 'bad "proto"', n: '1' }, value }, { value: Buffer.alloc(0) }]) {
      const frame = encodeFrame(message);
      const read = decodeFrame(frame, 0, 1 << 20);
      expect(read.kind).toBe('record');
      if (read.kind !== 'record') return;
      expect(read.frameBytes).toBe(frame.length);
      expect(read.message.key).toBe(message.key);
      expect(read.message.headers).toEqual(message.headers);
      expect(Buffer.compare(read.message.value, message.value)).toBe(0);
    }
  });

  it('calls a cut frame incomplete and a flipped bit corrupt', () => {
    const frame = encodeFrame({ key: 'k', value: Buffer.from('payload') });
    expect(decodeFrame(frame.subarray(0, 5), 0, 1 << 20)).toEqual({ kind: 'incomplete', frameBytes: null });
    expect(decodeFrame(frame.subarray(0, frame.length - 1), 0, 1 << 20)).toEqual({ kind: 'incomplete', frameBytes: frame.length });
    const flipped = Buffer.from(frame);
    flipped[flipped.length - 2] ^= 0x10;
    expect(decodeFrame(flipped, 0, 1 << 20)).toEqual({ kind: 'corrupt', reason: 'CRC mismatch' });
    const hugeLength = Buffer.from(frame);
    hugeLength.writeUInt32LE(0xfffffff0, 0);
    expect(decodeFrame(hugeLength, 0, 1 << 20).kind).toBe('corrupt');
  });
});
