import { Writer } from 'protobufjs/minimal';

/** An ExportTraceServiceRequest of one span whose one attribute `n` has the AnyValue message `anyValue` (raw bytes). */
export function requestWithAnyValue(anyValue: Uint8Array): Uint8Array {
  const w = Writer.create();
  w.uint32(10).fork(); // resource_spans
  w.uint32(18).fork(); // scope_spans
  w.uint32(18).fork(); // span
  w.uint32(10).bytes(Buffer.alloc(16, 1));
  w.uint32(18).bytes(Buffer.alloc(8, 2));
  w.uint32(74).fork(); // attributes: KeyValue
  w.uint32(10).string('n');
  w.uint32(18).bytes(anyValue);
  w.ldelim().ldelim().ldelim().ldelim();
  return w.finish();
}

/** An AnyValue with int_value `value`, written by protobufjs. */
export function intAnyValue(value: bigint): Uint8Array {
  return Writer.create().uint32(24).int64(value.toString() as unknown as number).finish();
}
