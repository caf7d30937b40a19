/**
 * OTLP codec: protobuf and JSON decoding of trace and log export requests into
 * the core model (with per-item validation and input limits), protobuf encoding
 * back (the bus payload) and export-response encoding. Pure functions, no I/O.
 */
export { decodeTraceRequestProto } from './decode-traces-proto';
export { validateTraceRequestProto } from './validate-traces-proto';
export { decodeTraceRequestJson } from './decode-traces-json';
export { decodeLogsRequestProto } from './decode-logs-proto';
export { decodeLogsRequestJson } from './decode-logs-json';
export { decodeMetricsRequestProto } from './decode-metrics-proto';
export { decodeMetricsRequestJson } from './decode-metrics-json';
export { encodeMetricsRequestProto } from './encode-metrics-proto';
export { encodeTraceRequestProto } from './encode-traces-proto';
export { encodeTraceRequestJson } from './encode-traces-json';
export type { OtlpJsonTraceRequest } from './encode-traces-json';
export { encodeLogsRequestProto } from './encode-logs-proto';
export { encodeExportResponse } from './export-response';
export { splitExportRequestProto } from './split-request-proto';
export type { OtlpFormat, OtlpSignal } from './export-response';
export type { DecodedLogs, DecodedMetrics, DecodedTraces, DecodeOutcome, LogDecodeOptions } from './types';
export { MAX_REJECT_REASONS } from './decode-report';
export { nanosBitsToMicros, microsToNanosBits, jsonNanosToMicros, microsToNanosString } from './time';
export { stableStringify } from './stable-json';
export { logRecordId } from '../log-id';
export { DEFAULT_INPUT_LIMITS, NESTING_MARKER, resolveInputLimits } from '../limits';
export type { InputLimits } from '../limits';
