import * as fc from 'fast-check';

/** A valid request with a few bytes overwritten, inserted or deleted: reaches deep into the decoder, unlike pure noise. */
export function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(valid.length - 1), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(valid.length), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(valid.length - 1), count: fc.integer({ min: 1, max: 12 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let bytes = Array.from(valid);
    for (const e of edits) {
      const at = Math.min(e.at, bytes.length);
      if (e.kind === 'set') bytes[Math.min(at, bytes.length - 1)] = e.byte;
      else if (e.kind === 'insert') bytes = [...bytes.slice(0, at), ...e.bytes, ...bytes.slice(at)];
      else bytes.splice(at, e.count);
    }
    return Uint8Array.from(bytes);
  });
}
