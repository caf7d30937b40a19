/**
 * Syslog message parsers: RFC 5424 (the syslog protocol) and RFC 3164 (the BSD
 * format most daemons and `logger` still write). Pure functions on one message
 * (framing is done before); malformed input gives a `SyslogParseError` result,
 * never an exception. Times are kept as sent (any year); the range rule of
 * core/log-normalise/time.ts applies when the message becomes a record.
 */

import { calendarToMicros } from '../../core/log-normalise/time';

export interface StructuredDataElement {
  id: string;
  /** In the order sent; a name may repeat (RFC 5424 allows it). */
  params: [string, string][];
}

export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164';
  /** 0..23 */
  facility: number;
  /** 0 (emergency) .. 7 (debug) */
  severity: number;
  /** Microseconds since the epoch; null when the message carried no usable time. */
  timeUs: number | null;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: StructuredDataElement[];
  message: string;
  /** RFC 5424 VERSION; 0 for RFC 3164. */
  version: number;
}

export interface SyslogParseError {
  error: string;
}

export interface ParseOptions {
  /** Reception time, for RFC 3164 year inference and messages without a time. */
  now?: Date;
}

export function isParseError(r: SyslogMessage | SyslogParseError): r is SyslogParseError {
  return (r as SyslogParseError).error !== undefined;
}

/** Facility keywords (RFC 5424 table 1, names as syslog.conf spells them). */
export const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

const BOM = '\uFEFF';

/** Parses one syslog message, RFC 5424 when a VERSION follows the PRI, RFC 3164 otherwise. */
export function parseSyslog(raw: string, options: ParseOptions = {}): SyslogMessage | SyslogParseError {
  let text = raw;
  while (text.endsWith('\n') || text.endsWith('\r') || text.endsWith('\0')) text = text.slice(0, -1);
  if (text.trim() === '') return { error: 'empty message' };
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri) {
    // RFC 3164 4.3.3: a relay treats a message without PRI as user.notice with the whole line as content.
    if (text.startsWith('<')) return { error: 'PRI is not <0..191>' };
    return parse3164Body(text, 13, options, true);
  }
  const value = Number(pri[1]);
  if (value > 191 || (pri[1].length > 1 && pri[1].startsWith('0'))) return { error: `PRI <${pri[1]}> is not 0..191 without leading zeros` };
  const rest = text.slice(pri[0].length);
  if (/^[1-9]\d{0,2} /.test(rest)) return parse5424(rest, value);
  return parse3164Body(rest, value, options, false);
}

// ---------------------------------------------------------------- RFC 5424

const NIL = '-';

function parse5424(rest: string, pri: number): SyslogMessage | SyslogParseError {
  const cursor = { text: rest, pos: 0 };
  const version = Number(token(cursor));
  const timestamp = token(cursor);
  const hostname = token(cursor);
  const appName = token(cursor);
  const procId = token(cursor);
  const msgId = token(cursor);
  if (msgId === null) return { error: 'RFC 5424 header is incomplete (needs VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID)' };
  const lengths: [string, string | null, number][] = [
    ['HOSTNAME', hostname, 255],
    ['APP-NAME', appName, 48],
    ['PROCID', procId, 128],
    ['MSGID', msgId, 32],
  ];
  for (const [name, v, max] of lengths) {
    if (v === null || v.length > max || !/^[\x21-\x7e]+$/.test(v)) return { error: `RFC 5424 ${name} must be 1..${max} printable ASCII characters` };
  }
  let timeUs: number | null = null;
  if (timestamp !== NIL) {
    timeUs = parseRfc3339(timestamp ?? '');
    if (timeUs === null) return { error: `RFC 5424 TIMESTAMP "${timestamp}" is not RFC 3339` };
  }
  const sd = parseStructuredData(cursor);
  if ('error' in sd) return sd;
  let message = '';
  if (cursor.pos < rest.length) {
    if (rest[cursor.pos] !== ' ') return { error: 'RFC 5424 STRUCTURED-DATA must be followed by a space before MSG' };
    message = rest.slice(cursor.pos + 1);
    if (message.startsWith(BOM)) message = message.slice(1);
  }
  return {
    format: 'rfc5424',
    facility: pri >> 3,
    severity: pri & 7,
    timeUs,
    hostname: nil(hostname!),
    appName: nil(appName!),
    procId: nil(procId!),
    msgId: nil(msgId),
    structuredData: sd.elements,
    message,
    version,
  };
}

const nil = (v: string) => (v === NIL ? '' : v);

/** The next space-terminated token; consumes the space. null at the end of input. */
function token(c: { text: string; pos: number }): string | null {
  if (c.pos >= c.text.length) return null;
  const end = c.text.indexOf(' ', c.pos);
  if (end === -1) return null;
  const t = c.text.slice(c.pos, end);
  c.pos = end + 1;
  return t === '' ? null : t;
}

function parseStructuredData(c: { text: string; pos: number }): { elements: StructuredDataElement[] } | SyslogParseError {
  const s = c.text;
  if (s[c.pos] === NIL && (c.pos + 1 === s.length || s[c.pos + 1] === ' ')) {
    c.pos++;
    return { elements: [] };
  }
  if (s[c.pos] !== '[') return { error: 'RFC 5424 STRUCTURED-DATA must be "-" or start with "["' };
  const elements: StructuredDataElement[] = [];
  while (s[c.pos] === '[') {
    c.pos++;
    const id = sdName(c);
    if (!id) return { error: 'RFC 5424 SD-ID is missing or invalid' };
    const element: StructuredDataElement = { id, params: [] };
    for (;;) {
      if (s[c.pos] === ']') {
        c.pos++;
        break;
      }
      if (s[c.pos] !== ' ') return { error: `RFC 5424 SD-ELEMENT [${id}: expected " " or "]"` };
      c.pos++;
      const name = sdName(c);
      if (!name) return { error: `RFC 5424 SD-ELEMENT [${id}: invalid PARAM-NAME` };
      if (s[c.pos] !== '=' || s[c.pos + 1] !== '"') return { error: `RFC 5424 SD-PARAM ${name}: expected ="value"` };
      c.pos += 2;
      let value = '';
      for (;;) {
        if (c.pos >= s.length) return { error: `RFC 5424 SD-PARAM ${name}: unterminated value` };
        const ch = s[c.pos];
        if (ch === '"') {
          c.pos++;
          break;
        }
        if (ch === '\\' && (s[c.pos + 1] === '"' || s[c.pos + 1] === '\\' || s[c.pos + 1] === ']')) {
          value += s[c.pos + 1];
          c.pos += 2;
          continue;
        }
        // RFC 5424 6.3.3: a backslash before any other character is kept as is.
        value += ch;
        c.pos++;
      }
      element.params.push([name, value]);
    }
    elements.push(element);
  }
  return { elements };
}

/** SD-NAME: 1..32 printable US-ASCII except '=', SP, ']', '"'. */
function sdName(c: { text: string; pos: number }): string {
  const m = /^[\x21-\x7e]{1,32}/.exec(c.text.slice(c.pos, c.pos + 33).replace(/[= \]"][\s\S]*$/, ''));
  if (!m) return '';
  c.pos += m[0].length;
  return m[0];
}

/** RFC 3339 full date-time (as RFC 5424 restricts it) → microseconds; null when invalid. */
export function parseRfc3339(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, frac = '', zone] = m;
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const us = calendarToMicros(+y, +mo, +d, +h, +mi, +se, Number((frac + '000000').slice(0, 6)), offsetMin);
  return Number.isNaN(us) ? null : us;
}

// ---------------------------------------------------------------- RFC 3164

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIME = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? /;
/** rsyslog's "RFC 3339 timestamp in legacy format" template. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /i;
/** TAG: up to 32 characters of name, optionally [pid], then ':'. Generous: senders rarely keep to 32 alphanumerics. */
const TAG = /^([^\s:[\]]{1,128})(?:\[([^\]\s]{0,128})\])?:(?: |$)/;

function parse3164Body(rest: string, pri: number, options: ParseOptions, noPri: boolean): SyslogMessage {
  const now = options.now ?? new Date();
  let timeUs: number | null = null;
  let s = rest;
  const bsd = BSD_TIME.exec(s);
  const iso = bsd ? null : ISO_TIME.exec(s);
  let hasHeader = false;
  if (bsd) {
    timeUs = bsdTimeUs(bsd, now);
    s = s.slice(bsd[0].length);
    hasHeader = true;
  } else if (iso) {
    timeUs = parseRfc3339(iso[1]);
    s = s.slice(iso[0].length);
    hasHeader = timeUs !== null;
  }
  let hostname = '';
  if (hasHeader) {
    // HOSTNAME follows the time unless the sender left it out (then the tag, "name:" or "name[pid]:", comes straight away).
    const host = /^([^\s[\]]*[^\s[\]:]) /.exec(s);
    if (host) {
      hostname = host[1];
      s = s.slice(host[0].length);
    }
  }
  let appName = '';
  let procId = '';
  const tag = noPri ? null : TAG.exec(s);
  if (tag) {
    appName = tag[1];
    procId = tag[2] ?? '';
    s = s.slice(tag[0].length);
  }
  return {
    format: 'rfc3164',
    facility: pri >> 3,
    severity: pri & 7,
    timeUs,
    hostname,
    appName,
    procId,
    msgId: '',
    structuredData: [],
    message: s,
    version: 0,
  };
}

/**
 * `Mmm dd hh:mm:ss` has no year and no zone: local time of this collector, in
 * the year that puts the message closest to now (a December line read on
 * 1 January is last year's).
 */
function bsdTimeUs(m: RegExpExecArray, now: Date): number | null {
  const month = MONTHS.indexOf(m[1]);
  const day = Number(m[2].trim());
  const [h, mi, se] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (day < 1 || day > 31 || h > 23 || mi > 59 || se > 60) return null;
  const micros = Number(((m[6] ?? '') + '000000').slice(0, 6));
  let best: number | null = null;
  for (const year of [now.getFullYear() - 1, now.getFullYear(), now.getFullYear() + 1]) {
    const t = new Date(year, month, day, h, mi, se);
    if (t.getMonth() !== month) continue; // Feb 29 in a non-leap year
    if (best === null || Math.abs(t.getTime() - now.getTime()) < Math.abs(best - now.getTime())) best = t.getTime();
  }
  return best === null ? null : best * 1000 + micros;
}
