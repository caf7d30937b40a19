import type { ServiceError } from '@grpc/grpc-js';
import { Reader } from 'protobufjs/minimal';

/** The retry delay (seconds) in a google.rpc.Status trailer holding a google.rpc.RetryInfo, or undefined. */
export function retryDelaySeconds(error: ServiceError): number | undefined {
  const [details] = error.metadata.get('grpc-status-details-bin') as Buffer[];
  if (!details) return undefined;
  const status = Reader.create(details);
  while (status.pos < status.len) {
    const tag = status.uint32();
    if (tag >>> 3 !== 3) {
      status.skipType(tag & 7);
      continue;
    }
    const any = Reader.create(status.bytes());
    let typeUrl = '';
    let value: Uint8Array = new Uint8Array();
    while (any.pos < any.len) {
      const t = any.uint32();
      if (t >>> 3 === 1) typeUrl = any.string();
      else if (t >>> 3 === 2) value = any.bytes();
      else any.skipType(t & 7);
    }
    if (typeUrl !== 'type.googleapis.com/google.rpc.RetryInfo') continue;
    const retryInfo = Reader.create(value);
    retryInfo.uint32(); // retry_delay
    const duration = Reader.create(retryInfo.bytes());
    let seconds = 0;
    while (duration.pos < duration.len) {
      const t = duration.uint32();
      if (t >>> 3 === 1) seconds += Number(duration.int64());
      else if (t >>> 3 === 2) seconds += duration.int32() / 1e9;
      else duration.skipType(t & 7);
    }
    return seconds;
  }
  return undefined;
}
