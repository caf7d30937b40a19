import { createParser } from '../../../../collector/shipper/parsers';
import { buildRecord, type RecordContext } from '../../../../collector/shipper/record-builder';
import { isParseError, parseSyslog } from '../../../../collector/syslog/parse';
import { syslogToLogRecord } from '../../../../collector/syslog/to-log-record';
import { DEFAULT_INPUT_LIMITS } from '../../../../core/limits';
import { SYSLOG_SEVERITY_NAMES } from '../../../../core/log-normalise/severity';
import type { LogRecord } from '../../../../core/model';
import { DEFAULT_JSON_LINES_MAPPING, decodeJsonLines } from '../../../../ingest/json-lines/decode';

/**
 * The same fields through the three third-party log paths: the file shipper's
 * record building, the JSON-lines topic's decoder and syslog's record
 * mapping. They must agree on severity, time and caps (one module,
 * core/log-normalise/); what differs is each path's own attributes and the
 * fallback time of a line without a usable one.
 */

const NOW_US = Date.UTC(2026, 0, 2) * 1000;

const shipperContext: RecordContext = {
  resource: { 'service.name': 'app' },
  scope: { name: 'chainscope.shipper', version: '' },
  service: 'app',
  parser: createParser({ kind: 'json' }),
  businessKeys: [],
};

function viaShipper(fields: Record<string, unknown>): LogRecord {
  return buildRecord(shipperContext, JSON.stringify(fields), '/var/log/app.log', 'app.log', 0).record;
}

function viaJsonLines(fields: Record<string, unknown>): LogRecord {
  const { logs, bad } = decodeJsonLines(Buffer.from(JSON.stringify(fields)), DEFAULT_JSON_LINES_MAPPING, NOW_US);
  expect(bad).toEqual([]);
  return logs[0];
}

/** RFC 5424: the level as the PRI's severity code, the time as TIMESTAMP, other fields as SD params. */
function viaSyslog(code: number, timestamp: string, message: string, params: [string, string][] = []): LogRecord {
  const sd = params.length ? `[f ${params.map(([k, v]) => `${k}="${v}"`).join(' ')}]` : '-';
  const msg = parseSyslog(`<${8 + code}>1 ${timestamp} host app - - ${sd} ${message}`);
  if (isParseError(msg)) throw new Error(msg.error);
  return syslogToLogRecord(msg, { defaultService: 'app', receivedUs: NOW_US });
}

const severityOf = (r: LogRecord) => [r.severityNumber, r.severityText];

describe('the same fields give the same records on every path', () => {
  it.each(SYSLOG_SEVERITY_NAMES.map((name, code) => [name, code] as const))('severity %s (syslog code %i)', (name, code) => {
    const fields = { time: '2024-05-01T12:00:00.123456Z', level: name, msg: 'disk on fire' };
    const expected = severityOf(viaSyslog(code, fields.time, fields.msg));
    expect(expected[0]).toBeGreaterThan(0);
    expect(severityOf(viaShipper(fields))).toEqual(expected);
    expect(severityOf(viaJsonLines(fields))).toEqual(expected);
  });

  it.each(['panic', 'fatal', 'critical', 'emergency', 'severe', 'warning', 'fine', 'finer', 'finest', 'w', 'e', 'i', 'd', 'WARN', 50, 17, '30'])(
    'severity %j on the shipper and JSON-lines paths',
    (level) => {
      const fields = { level, msg: 'x' };
      const shipped = viaShipper(fields);
      expect(shipped.severityNumber).toBeGreaterThan(0);
      expect(severityOf(viaJsonLines(fields))).toEqual(severityOf(shipped));
    },
  );

  it('reads the same time', () => {
    const timestamp = '2024-05-01T14:00:00.123456+02:00';
    const expected = Date.UTC(2024, 4, 1, 12) * 1000 + 123_456;
    expect(viaSyslog(6, timestamp, 'x').timeUs).toBe(expected);
    expect(viaShipper({ time: timestamp, msg: 'x' }).timeUs).toBe(expected);
    expect(viaJsonLines({ time: timestamp, msg: 'x' }).timeUs).toBe(expected);
    for (const epoch of [1714564800.123456, 1714564800123, 1714564800123456, 1714564800123456000, '1714564800123']) {
      const shipped = viaShipper({ time: epoch, msg: 'x' }).timeUs;
      expect(shipped).toBeGreaterThan(0);
      expect(viaJsonLines({ time: epoch, msg: 'x' }).timeUs).toBe(shipped);
    }
  });

  it('treats a time out of range as no time on every path (each then takes its own fallback)', () => {
    expect(viaSyslog(6, '2300-01-01T00:00:00Z', 'x').timeUs).toBe(NOW_US);
    for (const time of ['2300-01-01T00:00:00Z', 1e20, 5e10, -5, 0]) {
      // The shipper fills a record without a time from the file (0 here); JSON-lines uses reception.
      expect(viaShipper({ time, msg: 'x' }).timeUs).toBe(0);
      expect(viaJsonLines({ time, msg: 'x' }).timeUs).toBe(NOW_US);
    }
  });

  it('applies the same caps: at most maxAttributesPerItem attributes in all, the first fields kept, values and body cut', () => {
    const max = DEFAULT_INPUT_LIMITS.maxAttributesPerItem;
    const long = 'x'.repeat(DEFAULT_INPUT_LIMITS.maxAttributeValueLength + 100);
    const cut = long.slice(0, DEFAULT_INPUT_LIMITS.maxAttributeValueLength);
    const params = Array.from({ length: max + 44 }, (_, i) => [`k${i}`, long] as [string, string]);
    const body = 'b'.repeat(DEFAULT_INPUT_LIMITS.maxLogBodyLength + 10);
    const fields = { level: 'err', msg: body, ...Object.fromEntries(params) };
    const records = {
      shipper: viaShipper(fields),
      jsonLines: viaJsonLines(fields),
      syslog: viaSyslog(3, '2024-05-01T12:00:00Z', body, params),
    };
    const ownPrefix = /^(log\.file\.|syslog\.)/;
    for (const [path, record] of Object.entries(records)) {
      const names = Object.keys(record.attributes);
      expect([path, names.length]).toEqual([path, max]);
      expect([path, record.body.length]).toEqual([path, DEFAULT_INPUT_LIMITS.maxLogBodyLength]);
      expect([path, record.severityNumber]).toEqual([path, 17]);
      const own = names.filter((n) => ownPrefix.test(n));
      const kept = names.filter((n) => !ownPrefix.test(n)).map((n) => n.replace(/^sd\.f\./, ''));
      // The path's own attributes first; the source's fields fill the room left, in their order.
      expect(kept).toEqual(params.slice(0, max - own.length).map(([k]) => k));
      for (const name of names.filter((n) => !ownPrefix.test(n))) expect(record.attributes[name]).toBe(cut);
    }
  });
});
