import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { Writer } from 'protobufjs/minimal';
import { ChainscopeError, OverloadedError, PayloadTooLargeError, ValidationError } from '../../core/errors';

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** What a failed export is answered with, by the OTLP/gRPC rules. */
export interface GrpcRefusal {
  code: GrpcCode;
  details: string;
  /** Seconds the client should wait before retrying (sent as google.rpc.RetryInfo); absent for permanent errors. */
  retryAfterSeconds?: number;
}

/**
 * OTLP/gRPC's status rules: bad data is INVALID_ARGUMENT (not retried); a
 * full bus or in-flight budget is RESOURCE_EXHAUSTED with RetryInfo (without
 * RetryInfo a client must not retry it); a bus or store that failed
 * transiently is UNAVAILABLE with RetryInfo; anything else INTERNAL.
 */
export function refusalFor(err: unknown): GrpcRefusal {
  const message = err instanceof ChainscopeError ? err.message : 'internal error';
  if (err instanceof ValidationError || err instanceof PayloadTooLargeError) return { code: GrpcCode.INVALID_ARGUMENT, details: message };
  if (err instanceof OverloadedError) return { code: GrpcCode.RESOURCE_EXHAUSTED, details: message, retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof ChainscopeError && err.retriable) return { code: GrpcCode.UNAVAILABLE, details: message, retryAfterSeconds: 2 };
  return { code: GrpcCode.INTERNAL, details: message };
}

/**
 * The error grpc-js sends for a refusal: code and message, and with a retry
 * delay the `grpc-status-details-bin` trailer carrying a google.rpc.Status
 * whose details hold one google.rpc.RetryInfo, which is where OTLP clients
 * (the OpenTelemetry Collector's exporter among them) read the delay.
 */
export function serviceErrorOf(refusal: GrpcRefusal): Partial<ServiceError> {
  const metadata = new Metadata();
  if (refusal.retryAfterSeconds !== undefined) {
    metadata.set('grpc-status-details-bin', encodeStatusWithRetryInfo(refusal.code, refusal.details, refusal.retryAfterSeconds));
  }
  return { code: refusal.code, details: refusal.details, metadata };
}

/** google.rpc.Status { code = 1, message = 2, details = 3 (Any { type_url = 1, value = 2 }) } with RetryInfo { retry_delay = 1 (Duration { seconds = 1, nanos = 2 }) }. */
export function encodeStatusWithRetryInfo(code: number, message: string, retryAfterSeconds: number): Buffer {
  const wholeSeconds = Math.max(0, Math.floor(retryAfterSeconds));
  const nanos = Math.max(0, Math.round((retryAfterSeconds - wholeSeconds) * 1e9));
  const retryInfo = Writer.create();
  retryInfo.uint32(10).fork();
  if (wholeSeconds > 0) retryInfo.uint32(8).int64(wholeSeconds);
  if (nanos > 0) retryInfo.uint32(16).int32(nanos);
  retryInfo.ldelim();
  const status = Writer.create();
  status.uint32(8).int32(code);
  status.uint32(18).string(message);
  status.uint32(26).fork();
  status.uint32(10).string(RETRY_INFO_TYPE_URL);
  status.uint32(18).bytes(retryInfo.finish());
  status.ldelim();
  return Buffer.from(status.finish());
}
