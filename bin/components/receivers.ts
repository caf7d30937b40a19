import { OtlpHttpReceiver, otlpHttpLimitsFrom } from '../../collector/otlp-http/receiver';
import { OtlpPublisher, type Topics } from '../../collector/publisher';
import { SyslogReceiver } from '../../collector/syslog/receiver';
import type { Config } from '../../core/config';
import { cannotListen, startListening } from '../../core/util/listen-errors';
import { hostPort, isAllInterfaces, listenAddress } from '../listen-address';
import type { ComponentFactory, Role } from './component';

const WITH_RECEIVERS: readonly Role[] = ['all-in-one', 'collector'];

/** Where receivers publish: the bus topics and the largest bus message. */
interface PublishSettings {
  topics: Topics;
  maxBusMessageBytes: number;
}

const publishSettings = (config: Config): PublishSettings => ({ topics: { spans: config.spansTopic, logs: config.logsTopic, metrics: config.metricsTopic }, maxBusMessageBytes: config.maxBusMessageBytes });

interface OtlpHttpSettings extends PublishSettings, ReturnType<typeof otlpHttpLimitsFrom> {
  host: string;
  port: number;
  maxRequestBytes: number;
  maxInflightBytes: number;
}

/** OTLP/HTTP receiver on OTLP_HTTP_PORT (POST /v1/traces, /v1/logs, /v1/metrics), publishing to the bus. */
export const otlpHttpReceiverFactory: ComponentFactory<OtlpHttpSettings> = {
  name: 'receiver',
  settings: (config, role) =>
    WITH_RECEIVERS.includes(role)
      ? {
          host: config.host,
          port: config.otlpHttpPort,
          maxRequestBytes: config.maxRequestBytes,
          maxInflightBytes: config.maxInflightBytes,
          ...otlpHttpLimitsFrom(config),
          ...publishSettings(config),
        }
      : null,
  create(settings, context) {
    let receiver: OtlpHttpReceiver | undefined;
    return {
      async start() {
        const { host, port, maxRequestBytes, maxInflightBytes, connectionLimits, bodyIdleTimeoutMs } = settings;
        const publisher = new OtlpPublisher(context.bus!, settings.topics, settings.maxBusMessageBytes);
        receiver = new OtlpHttpReceiver({ host, port, maxRequestBytes, maxInflightBytes, connectionLimits, bodyIdleTimeoutMs, publisher, counters: context.counters, log: context.log, access: context.access });
        const at = listenAddress(host, await startListening(() => receiver!.start(), 'OTLP_HTTP_PORT', host, port));
        context.otlpUrl = at.url;
        context.log(`chainscope: OTLP/HTTP receiver listening on ${at.shown} (POST /v1/traces, /v1/logs, /v1/metrics)`);
      },
      shutdown: async () => receiver?.shutdown(),
    };
  },
};

interface SyslogSettings extends PublishSettings {
  host: string;
  tcpPort: number | null;
  udpPort: number | null;
  maxMessageBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  defaultService: string;
  promotedKeys: string[];
}

/** Syslog listeners on SYSLOG_TCP_PORT / SYSLOG_UDP_PORT (off unless one is set). */
export const syslogReceiverFactory: ComponentFactory<SyslogSettings> = {
  name: 'syslog receiver',
  settings: (config, role) =>
    WITH_RECEIVERS.includes(role) && (config.syslogTcpPort !== null || config.syslogUdpPort !== null)
      ? {
          host: config.host,
          tcpPort: config.syslogTcpPort,
          udpPort: config.syslogUdpPort,
          maxMessageBytes: config.syslogMaxMessageBytes,
          maxConnections: config.syslogMaxConnections,
          idleTimeoutMs: config.syslogIdleTimeoutMs,
          defaultService: config.syslogDefaultService,
          promotedKeys: config.businessKeys,
          ...publishSettings(config),
        }
      : null,
  create(settings, context) {
    let receiver: SyslogReceiver | undefined;
    return {
      async start() {
        const { topics, maxBusMessageBytes, ...options } = settings;
        receiver = new SyslogReceiver({ ...options, publisher: new OtlpPublisher(context.bus!, topics, maxBusMessageBytes), counters: context.counters, log: context.log });
        let ports: { tcpPort: number | null; udpPort: number | null };
        try {
          ports = await receiver.start();
        } catch (err) {
          // a UDP socket fails in bind, a TCP server in listen
          const udp = (err as NodeJS.ErrnoException)?.syscall === 'bind';
          throw cannotListen(err, udp ? 'SYSLOG_UDP_PORT' : 'SYSLOG_TCP_PORT', settings.host, (udp ? settings.udpPort : settings.tcpPort) ?? 0);
        }
        context.syslog = ports;
        const shown = [ports.tcpPort !== null ? `tcp ${hostPort(settings.host, ports.tcpPort)}` : '', ports.udpPort !== null ? `udp ${hostPort(settings.host, ports.udpPort)}` : ''];
        const everywhere = isAllInterfaces(settings.host) ? ' (all interfaces)' : '';
        context.log(`chainscope: syslog receiver listening on ${shown.filter(Boolean).join(', ')}${everywhere} (RFC 5424, RFC 3164)`);
      },
      shutdown: async () => receiver?.shutdown(),
    };
  },
};
