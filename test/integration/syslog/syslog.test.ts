import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

type ApiLog = { body: string; service: string; severityText: string; traceId: string; spanId: string; attributes: Record<string, unknown>; resource: Record<string, unknown> };

function sendTcp(port: number, payload: Buffer | string, chunkSize = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', async () => {
      const bytes = Buffer.from(payload);
      if (chunkSize > 0) {
        for (let i = 0; i < bytes.length; i += chunkSize) {
          socket.write(bytes.subarray(i, i + chunkSize));
          await new Promise((r) => setImmediate(r));
        }
      } else socket.write(bytes);
      socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

function sendUdp(port: number, message: string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) =>
    socket.send(Buffer.from(message), port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;
const loggerBinary = ['/usr/bin/logger', '/bin/logger'].find((p) => fs.existsSync(p));

describe('syslog receiver in the all-in-one', () => {
  let app: TestAllInOne;
  let tcpPort: number;
  let udpPort: number;
  const tag = `t${Date.now().toString(36)}`;

  const logsOf = async (service: string, expected: number): Promise<ApiLog[]> =>
    waitFor(async () => {
      const res = await getJson(`${app.apiUrl}/api/logs?service=${encodeURIComponent(service)}&limit=100`);
      return res.status === 200 && res.body.logs.length >= expected ? (res.body.logs as ApiLog[]) : undefined;
    }, `${expected} log(s) of ${service}`);

  beforeAll(async () => {
    app = await startTestAllInOne({ syslogTcpPort: 0, syslogUdpPort: 0, syslogIdleTimeoutMs: 1000 });
    tcpPort = app.syslog!.tcpPort!;
    udpPort = app.syslog!.udpPort!;
  });
  afterAll(() => app?.dispose());

  it('takes RFC 5424 over TCP with octet counting, split across many chunks, with structured data and trace context', async () => {
    const now = new Date().toISOString();
    const service = `${tag}-pay`;
    const msgs = [
      `<11>1 ${now} db-1 ${service} 42 PAY [otel trace_id="4bf92f3577b34da6a3ce929d0e0e4736" span_id="00f067aa0ba902b7"][biz@1 order.id="ORD-SYS-1"] \uFEFFcharge failed`,
      `<14>1 ${now} db-1 ${service} 42 PAY - line with\nan embedded newline`,
    ];
    await sendTcp(tcpPort, msgs.map(octet).join(''), 7);
    const logs = await logsOf(service, 2);
    const failed = logs.find((l) => l.body === 'charge failed')!;
    expect(failed).toMatchObject({
      severityText: 'ERROR',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      resource: { 'host.name': 'db-1' },
      attributes: { 'order.id': 'ORD-SYS-1', 'sd.biz@1.order.id': 'ORD-SYS-1', 'syslog.facility': 'user', 'syslog.msgid': 'PAY' },
    });
    expect(logs.map((l) => l.body)).toContain('line with\nan embedded newline');
  });

  it('takes RFC 3164 over TCP with newline framing', async () => {
    const service = `${tag}-cron`;
    const d = new Date();
    const stamp = `${d.toString().slice(4, 7)} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
    const lines = [1, 2, 3].map((i) => `<30>${stamp} web-2 ${service}[7${i}]: run ${i}\n`).join('');
    await sendTcp(tcpPort, lines);
    const logs = await logsOf(service, 3);
    expect(logs.map((l) => l.body).sort()).toEqual(['run 1', 'run 2', 'run 3']);
    expect(logs[0]).toMatchObject({ severityText: 'INFO', resource: { 'host.name': 'web-2' }, attributes: { 'syslog.facility': 'daemon', 'syslog.format': 'rfc3164' } });
  });

  it('takes both formats over UDP', async () => {
    const service = `${tag}-udp`;
    await sendUdp(udpPort, `<12>1 ${new Date().toISOString()} edge-1 ${service} - - - udp 5424`);
    await sendUdp(udpPort, `<12>${service}: udp 3164\n`);
    const logs = await logsOf(service, 2);
    expect(logs.map((l) => l.body).sort()).toEqual(['udp 3164', 'udp 5424']);
    expect(logs.every((l) => l.severityText === 'WARN')).toBe(true);
  });

  it('counts malformed and oversized input and keeps serving', async () => {
    const before = app.counters.get('chainscope_syslog_messages_malformed_total');
    await sendTcp(tcpPort, '<999>broken\n<13>1 2003-13-45T00:00:00Z h a - - - bad time\n');
    await sendUdp(udpPort, '<13>1 - h a - - [unterminated');
    await sendTcp(tcpPort, `${70_000} ${'x'.repeat(70_000)}`);
    await waitFor(() => app.counters.get('chainscope_syslog_messages_malformed_total') - before >= 3, 'malformed counted');
    await waitFor(() => app.counters.get('chainscope_syslog_messages_oversized_total') >= 1, 'oversized counted');
    const service = `${tag}-after`;
    await sendTcp(tcpPort, `<13>${service}: still here\n`);
    expect((await logsOf(service, 1))[0].body).toBe('still here');
  });

  it('closes idle connections', async () => {
    const before = app.counters.get('chainscope_syslog_connections_idle_closed_total');
    const socket = net.connect(tcpPort, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => {}));
    expect(app.counters.get('chainscope_syslog_connections_idle_closed_total')).toBe(before + 1);
  });

  (loggerBinary ? it : it.skip)('takes what util-linux logger sends (RFC 5424 over TCP, RFC 3164 over UDP)', async () => {
    const service = `${tag}-logger`;
    const run = (args: string[]) => execFileSync(loggerBinary!, args, { timeout: 10_000 });
    run(['--server', '127.0.0.1', '--port', String(tcpPort), '--tcp', '--rfc5424', '--octet-count', '-t', service, '-p', 'local3.err', '--sd-id', 'biz@1', '--sd-param', 'order.id="ORD-LOG-1"', 'from logger over tcp']);
    run(['--server', '127.0.0.1', '--port', String(udpPort), '--udp', '--rfc3164', '-t', service, '-p', 'local3.info', 'from logger over udp']);
    const logs = await logsOf(service, 2);
    const tcp = logs.find((l) => l.body === 'from logger over tcp')!;
    expect(tcp).toMatchObject({ severityText: 'ERROR', attributes: { 'syslog.facility': 'local3', 'order.id': 'ORD-LOG-1' } });
    expect(logs.find((l) => l.body === 'from logger over udp')).toMatchObject({ severityText: 'INFO' });
  });
});
