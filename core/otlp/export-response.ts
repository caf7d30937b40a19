import { Writer } from 'protobufjs/minimal';

export type OtlpSignal = 'traces' | 'logs' | 'metrics';
export type OtlpFormat = 'proto' | 'json';

/**
 * The body of a successful OTLP/HTTP export response.
 *
 * With rejected > 0: Export{Trace,Logs,Metrics}ServiceResponse.partial_success =
 * { rejected_spans | rejected_log_records | rejected_data_points (field 1, int64), error_message (field 2) }.
 * With rejected === 0 the response is empty (`{}` / zero bytes): the spec reserves
 * partial_success with 0 rejected for warnings, which we do not send.
 * In JSON, int64 is a decimal string as proto3 JSON requires; the OTel JS exporter
 * reads the object as parsed, and collectors/Go clients accept the string form.
 */
export function encodeExportResponse(signal: OtlpSignal, rejected: number, message: string, format: 'proto'): Uint8Array;
export function encodeExportResponse(signal: OtlpSignal, rejected: number, message: string, format: 'json'): string;
export function encodeExportResponse(signal: OtlpSignal, rejected: number, message: string, format: OtlpFormat): Uint8Array | string;
export function encodeExportResponse(signal: OtlpSignal, rejected: number, message: string, format: OtlpFormat): Uint8Array | string {
  const count = Number.isFinite(rejected) && rejected > 0 ? Math.floor(rejected) : 0;
  if (format === 'json') {
    if (count === 0) return '{}';
    const countField = signal === 'traces' ? 'rejectedSpans' : signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints';
    return JSON.stringify({ partialSuccess: { [countField]: String(count), errorMessage: message ?? '' } });
  }
  const w = Writer.create();
  if (count > 0) {
    w.uint32(10).fork();
    w.uint32(8).int64(count);
    if (message) w.uint32(18).string(message);
    w.ldelim();
  }
  return w.finish();
}
