import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * The OTLP collector services (opentelemetry/proto/collector/*), each with its
 * one unary `Export` method, defined over raw bytes: the request's protobuf
 * goes to the same validation as an OTLP/HTTP protobuf body (collector/otlp-intake.ts)
 * without being decoded twice, and the response bytes come from the same
 * encoder as OTLP/HTTP's. No .proto file is loaded.
 */
export type OtlpGrpcService = 'traces' | 'logs' | 'metrics';

const PATHS: Record<OtlpGrpcService, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

const asIs = (bytes: Buffer): Buffer => bytes;

function exportMethod(path: string): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: asIs,
    requestDeserialize: asIs,
    responseSerialize: asIs,
    responseDeserialize: asIs,
  };
}

export function otlpServiceDefinition(service: OtlpGrpcService): ServiceDefinition {
  return { Export: exportMethod(PATHS[service]) };
}

export function otlpMethodPath(service: OtlpGrpcService): string {
  return PATHS[service];
}
