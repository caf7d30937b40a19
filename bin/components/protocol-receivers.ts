import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js';
import { OtlpGrpcReceiver } from '../../collector/otlp-grpc/receiver';
import { otlpHttpLimitsFrom } from '../../collector/otlp-http/receiver';
import { OtlpPublisher, type Topics } from '../../collector/publisher';
import { ZipkinReceiver } from '../../collector/zipkin/receiver';
import type { Config } from '../../core/config';
import { startListening } from '../../core/util/listen-errors';
import { listenAddress } from '../listen-address';
import type { ComponentFactory, Role } from './component';

const WITH_RECEIVERS: readonly Role[] = ['all-in-one', 'collector'];

interface ReceiverSettings {
  host: string;
  port: number;
  maxRequestBytes: number;
  maxInflightBytes: number;
  topics: Topics;
  maxBusMessageBytes: number;
}

function receiverSettings(config: Config, port: number | null, role: Role): ReceiverSettings | null {
  if (!WITH_RECEIVERS.includes(role) || port === null) return null;
  return {
    host: config.host,
    port,
    maxRequestBytes: config.maxRequestBytes,
    maxInflightBytes: config.maxInflightBytes,
    topics: { spans: config.spansTopic, logs: config.logsTopic, metrics: config.metricsTopic },
    maxBusMessageBytes: config.maxBusMessageBytes,
  };
}

/** OTLP/gRPC receiver on OTLP_GRPC_PORT (TraceService, LogsService), publishing to the bus; off with OTLP_GRPC_PORT=off. */
export const otlpGrpcReceiverFactory: ComponentFactory<ReceiverSettings> = {
  name: 'OTLP/gRPC receiver',
  settings: (config, role) => receiverSettings(config, config.otlpGrpcPort, role),
  create(settings, context) {
    let receiver: OtlpGrpcReceiver | undefined;
    return {
      async start() {
        // grpc-js prints its own copy of a bind failure ("No address added ...") beside ours, which names
        // OTLP_GRPC_PORT: quiet its internal log unless the operator asked for it with GRPC_VERBOSITY.
        if (process.env.GRPC_VERBOSITY === undefined) setLogVerbosity(logVerbosity.NONE);
        const { topics, maxBusMessageBytes, ...options } = settings;
        receiver = new OtlpGrpcReceiver({ ...options, publisher: new OtlpPublisher(context.bus!, topics, maxBusMessageBytes), counters: context.counters, log: context.log, authenticator: context.access?.authenticator, ingestLimiter: context.access?.limits?.ingest });
        const at = listenAddress(settings.host, await startListening(() => receiver!.start(), 'OTLP_GRPC_PORT', settings.host, settings.port));
        context.otlpGrpcUrl = at.url;
        context.log(`chainscope: OTLP/gRPC receiver listening on ${at.shown} (traces, logs, metrics; gzip)`);
      },
      shutdown: async () => receiver?.shutdown(),
    };
  },
};

/** Zipkin v2 receiver on ZIPKIN_PORT (POST /api/v2/spans), publishing to the bus; off with ZIPKIN_PORT=off. */
export const zipkinReceiverFactory: ComponentFactory<ReceiverSettings & ReturnType<typeof otlpHttpLimitsFrom>> = {
  name: 'Zipkin receiver',
  settings: (config, role) => {
    const settings = receiverSettings(config, config.zipkinPort, role);
    return settings && { ...settings, ...otlpHttpLimitsFrom(config) };
  },
  create(settings, context) {
    let receiver: ZipkinReceiver | undefined;
    return {
      async start() {
        const { topics, maxBusMessageBytes, ...options } = settings;
        receiver = new ZipkinReceiver({ ...options, publisher: new OtlpPublisher(context.bus!, topics, maxBusMessageBytes), counters: context.counters, log: context.log, access: context.access });
        const at = listenAddress(settings.host, await startListening(() => receiver!.start(), 'ZIPKIN_PORT', settings.host, settings.port));
        context.zipkinUrl = at.url;
        context.log(`chainscope: Zipkin receiver listening on ${at.shown} (POST /api/v2/spans, JSON or proto3)`);
      },
      shutdown: async () => receiver?.shutdown(),
    };
  },
};
