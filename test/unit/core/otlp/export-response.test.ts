import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeExportResponse } from '../../../../core/otlp';

describe('encodeExportResponse', () => {
  test('protobuf partial success is read by the OTel JS exporters', () => {
    const traces = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', 3, 'trace id is all zeros', 'proto'));
    expect(Number(traces.partialSuccess?.rejectedSpans)).toBe(3);
    expect(traces.partialSuccess?.errorMessage).toBe('trace id is all zeros');
    const logs = ProtobufLogsSerializer.deserializeResponse(encodeExportResponse('logs', 2, 'log record has no timestamp', 'proto'));
    expect(Number(logs.partialSuccess?.rejectedLogRecords)).toBe(2);
    expect(logs.partialSuccess?.errorMessage).toBe('log record has no timestamp');
  });

  test('JSON partial success: int64 as a decimal string, readable by the OTel JS exporters', () => {
    const body = encodeExportResponse('traces', 3, 'bad ids', 'json');
    expect(body).toBe('{"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad ids"}}');
    const parsed = JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(body));
    expect(parsed.partialSuccess).toEqual({ rejectedSpans: '3', errorMessage: 'bad ids' });
    const logs = encodeExportResponse('logs', 1, 'x', 'json');
    expect(JsonLogsSerializer.deserializeResponse(new TextEncoder().encode(logs))).toEqual({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'x' } });
  });

  test('nothing rejected: empty response in both formats', () => {
    expect(encodeExportResponse('traces', 0, 'ignored', 'json')).toBe('{}');
    expect(encodeExportResponse('logs', 0, '', 'proto')).toHaveLength(0);
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', 0, '', 'proto'))).toEqual({});
    expect(ProtobufLogsSerializer.deserializeResponse(encodeExportResponse('logs', 0, '', 'proto'))).toEqual({});
  });
});
