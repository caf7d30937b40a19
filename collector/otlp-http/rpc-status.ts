import { Writer } from 'protobufjs/minimal';

/** gRPC status codes used in OTLP/HTTP error bodies. */
export const RPC_CODE = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13 } as const;

/**
 * The body OTLP/HTTP sends with a 4xx/5xx: a google.rpc.Status, in the
 * encoding of the request (protobuf or JSON).
 */
export function encodeRpcStatus(code: number, message: string, format: 'proto' | 'json'): Buffer | string {
  if (format === 'json') return JSON.stringify({ code, message });
  const writer = Writer.create();
  writer.uint32(8).int32(code);
  writer.uint32(18).string(message);
  return Buffer.from(writer.finish());
}
