import { isParseError, parseRfc3339, parseSyslog, type SyslogMessage } from '../../../../collector/syslog/parse';
import { syslogToLogRecord } from '../../../../collector/syslog/to-log-record';

const NOW = new Date(2026, 0, 2, 12, 0, 0); // 2 January 2026, local time

function ok(raw: string): SyslogMessage {
  const r = parseSyslog(raw, { now: NOW });
  if (isParseError(r)) throw new Error(`unexpected parse error: ${r.error}`);
  return r;
}

describe('RFC 5424', () => {
  const cases: [string, string, Partial<SyslogMessage>][] = [
    [
      'RFC 5424 example 1 (no SD, BOM before MSG)',
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
      { facility: 4, severity: 2, hostname: 'mymachine.example.com', appName: 'su', procId: '', msgId: 'ID47', message: "'su root' failed for lonvick on /dev/pts/8", timeUs: Date.UTC(2003, 9, 11, 22, 14, 15) * 1000 + 3000 },
    ],
    [
      'RFC 5424 example 2 (offset, microseconds, no MSGID)',
      '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.',
      { facility: 20, severity: 5, hostname: '192.0.2.1', appName: 'myproc', procId: '8710', msgId: '', message: "%% It's time to make the do-nuts.", timeUs: Date.UTC(2003, 7, 24, 12, 14, 15) * 1000 + 3 },
    ],
    [
      'RFC 5424 example 3 (SD and MSG)',
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
      { appName: 'evntslog', message: 'An application event log entry...', structuredData: [{ id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] }] },
    ],
    [
      'RFC 5424 example 4 (two SD elements, no MSG)',
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      { message: '', structuredData: [{ id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] }, { id: 'examplePriority@32473', params: [['class', 'high']] }] },
    ],
    [
      'SD escapes: \\" \\\\ \\] kept unescaped, other backslashes kept',
      '<14>1 - host app - - [x@1 a="q\\"uote" b="back\\\\slash" c="br\\]acket" d="C:\\temp"] m',
      { timeUs: null, structuredData: [{ id: 'x@1', params: [['a', 'q"uote'], ['b', 'back\\slash'], ['c', 'br]acket'], ['d', 'C:\\temp']] }], message: 'm' },
    ],
    ['all NILVALUEs', '<0>1 - - - - - -', { facility: 0, severity: 0, hostname: '', appName: '', procId: '', msgId: '', message: '', timeUs: null }],
    ['trailing newline stripped', '<13>1 2024-02-29T00:00:00Z h a p m - hello\r\n', { message: 'hello' }],
  ];
  it.each(cases)('%s', (_name, raw, expected) => {
    const msg = ok(raw);
    expect(msg.format).toBe('rfc5424');
    expect(msg).toMatchObject(expected);
  });

  const malformed: [string, string][] = [
    ['empty', ''],
    ['PRI out of range', '<192>1 - - - - - -'],
    ['PRI leading zero', '<013>1 - - - - - -'],
    ['PRI not closed', '<13 hello'],
    ['header cut short', '<13>1 2003-10-11T22:14:15Z host'],
    ['bad timestamp', '<13>1 2003-13-11T22:14:15Z host app - - - msg'],
    ['timestamp without zone', '<13>1 2003-10-11T22:14:15 host app - - - msg'],
    ['SD not closed', '<13>1 - host app - - [id a="1" msg'],
    ['SD value unterminated', '<13>1 - host app - - [id a="1]'],
    ['SD param without quotes', '<13>1 - host app - - [id a=1] msg'],
    ['SD then no space', '<13>1 - host app - - [id a="1"]msg'],
    ['APP-NAME too long', `<13>1 - host ${'a'.repeat(49)} - - - msg`],
  ];
  it.each(malformed)('malformed: %s', (_name, raw) => {
    expect(isParseError(parseSyslog(raw, { now: NOW }))).toBe(true);
  });
});

describe('RFC 3164', () => {
  const cases: [string, string, Partial<SyslogMessage>][] = [
    [
      'RFC 3164 example 1',
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      { facility: 4, severity: 2, hostname: 'mymachine', appName: 'su', message: "'su root' failed for lonvick on /dev/pts/8", timeUs: new Date(2025, 9, 11, 22, 14, 15).getTime() * 1000 },
    ],
    [
      'RFC 3164 example 3 (tag with pid)',
      '<13>Feb  5 17:32:18 10.0.0.99 myapp[1234]: Use the BFG!',
      { hostname: '10.0.0.99', appName: 'myapp', procId: '1234', message: 'Use the BFG!', timeUs: new Date(2026, 1, 5, 17, 32, 18).getTime() * 1000 },
    ],
    ['no hostname', '<13>Jan  2 11:00:00 cron[99]: job done', { hostname: '', appName: 'cron', procId: '99', message: 'job done' }],
    ['no tag', '<13>Jan  2 11:00:00 box just some words', { hostname: 'box', appName: '', message: 'just some words' }],
    ['RFC 3339 time in legacy format', '<30>2026-01-02T10:00:00.5Z web-1 nginx: GET /', { hostname: 'web-1', appName: 'nginx', timeUs: Date.UTC(2026, 0, 2, 10) * 1000 + 500_000, message: 'GET /' }],
    ['no timestamp at all', '<13>myapp: hello', { timeUs: null, hostname: '', appName: 'myapp', message: 'hello' }],
    ['no PRI: user.notice, whole line', 'plain text line', { facility: 1, severity: 5, message: 'plain text line', appName: '' }],
    ['UTF-8 message', '<14>Jan  2 11:00:00 h app: 订单 ORD-1 ✓', { message: '订单 ORD-1 ✓' }],
  ];
  it.each(cases)('%s', (_name, raw, expected) => {
    const msg = ok(raw);
    expect(msg.format).toBe('rfc3164');
    expect(msg).toMatchObject(expected);
  });

  it('infers last year for a December line read in early January', () => {
    expect(ok('<13>Dec 31 23:59:59 h app: x').timeUs).toBe(new Date(2025, 11, 31, 23, 59, 59).getTime() * 1000);
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['1985-04-12T23:20:50.52Z', Date.UTC(1985, 3, 12, 23, 20, 50) * 1000 + 520_000],
    ['1985-04-12T19:20:50.52-04:00', Date.UTC(1985, 3, 12, 23, 20, 50) * 1000 + 520_000],
    ['2003-10-11T22:14:15.003Z', Date.UTC(2003, 9, 11, 22, 14, 15) * 1000 + 3000],
    ['2003-02-30T00:00:00Z', null],
    ['garbage', null],
  ])('%s', (s, expected) => expect(parseRfc3339(s)).toBe(expected));
});

describe('syslogToLogRecord', () => {
  const receivedUs = 1_700_000_000_000_000;
  it('maps header, severity, SD params, trace context and business keys', () => {
    const msg = ok('<11>1 2003-10-11T22:14:15.003Z db-1 payments 42 PAY [otel trace_id="4BF92F3577B34DA6A3CE929D0E0E4736" span_id="00f067aa0ba902b7"][biz@1 order.id="ORD-7"] charge failed');
    const r = syslogToLogRecord(msg, { defaultService: 'syslog', receivedUs, promotedKeys: ['order.id'], transport: 'tcp' });
    expect(r).toMatchObject({
      service: 'payments',
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'charge failed',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      resource: { 'service.name': 'payments', 'host.name': 'db-1' },
      attributes: {
        'syslog.facility': 'user',
        'syslog.severity': 'err',
        'syslog.procid': '42',
        'syslog.msgid': 'PAY',
        'sd.biz@1.order.id': 'ORD-7',
        'order.id': 'ORD-7',
        'sd.otel.trace_id': '4BF92F3577B34DA6A3CE929D0E0E4736',
      },
      observedTimeUs: receivedUs,
    });
    expect(r.id).toMatch(/^[0-9a-f]{32}$/);
    expect(syslogToLogRecord(msg, { defaultService: 'syslog', receivedUs, promotedKeys: ['order.id'], transport: 'tcp' }).id).toBe(r.id);
  });

  it('uses the default service and reception time when the message has neither', () => {
    const r = syslogToLogRecord(ok('<15>hello'), { defaultService: 'edge', receivedUs });
    expect(r).toMatchObject({ service: 'edge', timeUs: receivedUs, severityText: 'DEBUG', severityNumber: 5, traceId: '', spanId: '' });
  });

  it.each([
    // The OTel log data model's syslog column: emerg FATAL 21, alert ERROR3 19, crit ERROR2 18 (were 24, 23, 21).
    [0, 21, 'FATAL'], [1, 19, 'ERROR'], [2, 18, 'ERROR'], [3, 17, 'ERROR'], [4, 13, 'WARN'], [5, 10, 'INFO'], [6, 9, 'INFO'], [7, 5, 'DEBUG'],
  ])('severity %i → %i %s', (sev, num, text) => {
    const r = syslogToLogRecord(ok(`<${8 + sev}>x: y`), { defaultService: 's', receivedUs });
    expect([r.severityNumber, r.severityText]).toEqual([num, text]);
  });
});
