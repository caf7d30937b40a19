/**
 * Severity of a third-party log line (file shipper, syslog, JSON-lines topic)
 * as the OpenTelemetry log data model has it: SeverityNumber ranges TRACE 1-4,
 * DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24, 0 unknown. The
 * text is the short name of the number's range, so every path and every store
 * facet shows the same six names whatever the source wrote.
 *
 * Level words, case-insensitive (the data model's Appendix B where it names
 * the word; docs/log-normalisation.md has the same table):
 *
 * | number | text  | words                                                           |
 * | ------ | ----- | --------------------------------------------------------------- |
 * | 1      | TRACE | trace, finest (java.util.logging), t                            |
 * | 5      | DEBUG | debug, dbg, finer (JUL), verbose, d; syslog debug (7)           |
 * | 6      | DEBUG | fine (JUL)                                                      |
 * | 7      | DEBUG | config (JUL)                                                    |
 * | 9      | INFO  | info, information, informational, i; syslog info (6)            |
 * | 10     | INFO  | notice; syslog notice (5)                                       |
 * | 13     | WARN  | warn, warning, w; syslog warning (4)                            |
 * | 17     | ERROR | error, err, severe (JUL), e; syslog err (3)                     |
 * | 18     | ERROR | crit, dpanic (zap); syslog crit (2)                             |
 * | 19     | ERROR | alert, panic (zap); syslog alert (1)                            |
 * | 21     | FATAL | fatal, critical (Python, .NET), emerg, emergency, f; syslog emerg (0) |
 *
 * Numbers: pino/bunyan levels 10, 20, ..., 60 (trace, debug, info, warn,
 * error, fatal) first, then OTLP SeverityNumbers 1..24 as they are; numeric
 * text reads as its number. Anything else is unknown (0, '').
 */
export interface Severity {
  number: number;
  text: string;
}

/** The short names of the six ranges, TRACE (1-4) .. FATAL (21-24). */
export const SEVERITY_LEVELS: readonly string[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** SeverityNumber 1..24 → the short name of its range; '' otherwise. */
export function severityTextFromNumber(n: number): string {
  if (!(n >= 1 && n <= 24)) return '';
  return SEVERITY_LEVELS[(n - 1) >> 2];
}

export const UNKNOWN_SEVERITY: Severity = Object.freeze({ number: 0, text: '' });

function severity(number: number): Severity {
  return Object.freeze({ number, text: severityTextFromNumber(number) });
}

const BY_WORD = new Map<string, Severity>();
for (const [number, words] of [
  [1, ['trace', 'finest', 't']],
  [5, ['debug', 'dbg', 'finer', 'verbose', 'd']],
  [6, ['fine']],
  [7, ['config']],
  [9, ['info', 'information', 'informational', 'i']],
  [10, ['notice']],
  [13, ['warn', 'warning', 'w']],
  [17, ['error', 'err', 'severe', 'e']],
  [18, ['crit', 'dpanic']],
  [19, ['alert', 'panic']],
  [21, ['fatal', 'critical', 'emerg', 'emergency', 'f']],
] as [number, string[]][]) {
  const s = severity(number);
  for (const word of words) BY_WORD.set(word, s);
}

/** pino/bunyan numeric levels. */
const PINO_LEVELS = new Map<number, Severity>([10, 20, 30, 40, 50, 60].map((level, i) => [level, BY_WORD.get(['trace', 'debug', 'info', 'warn', 'error', 'fatal'][i])!]));

/** Syslog severity codes 0..7, as RFC 5424 names them (the keywords syslog.conf uses). */
export const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** A level value: a word, a pino/bunyan number, an OTLP number 1..24, or numeric text; UNKNOWN_SEVERITY otherwise. */
export function severityFromValue(value: unknown): Severity {
  if (typeof value === 'number') {
    const pino = PINO_LEVELS.get(value);
    if (pino) return pino;
    return Number.isInteger(value) && value >= 1 && value <= 24 ? severity(value) : UNKNOWN_SEVERITY;
  }
  if (typeof value !== 'string') return UNKNOWN_SEVERITY;
  const word = BY_WORD.get(value) ?? BY_WORD.get(value.trim().toLowerCase());
  if (word) return word;
  const trimmed = value.trim();
  return /^\d{1,3}$/.test(trimmed) ? severityFromValue(Number(trimmed)) : UNKNOWN_SEVERITY;
}

/** Syslog severity code 0 (emerg) .. 7 (debug) as OTLP severity; UNKNOWN_SEVERITY outside 0..7. */
export function severityOfSyslogCode(code: number): Severity {
  const name = SYSLOG_SEVERITY_NAMES[code];
  return name === undefined ? UNKNOWN_SEVERITY : BY_WORD.get(name)!;
}

/**
 * Level words looked for in a plain (unstructured) line. Fewer than the field
 * words: single letters and English words (`fine`, `alert`, `config`, `notice`
 * excepted, which log formats print as a level) would match message text.
 */
const LINE_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRITICAL|CRIT|FATAL|PANIC|EMERG)\b/i;
/** How far into a plain line a level word is looked for: further in, "error" is likely message text. */
const LINE_PREFIX = 120;
/** Severity of each level word as matched, so a line costs one lookup instead of trim, lowercase and lookup. */
const lineWordSeverity = new Map<string, Severity>();

/** Level of a plain line: the first level word near its start (`ERROR`, `[warn]`, `level=info`). */
export function detectLineSeverity(line: string): Severity {
  const m = LINE_WORD.exec(line.length > LINE_PREFIX ? line.slice(0, LINE_PREFIX) : line);
  if (!m) return UNKNOWN_SEVERITY;
  let found = lineWordSeverity.get(m[1]);
  if (!found) {
    found = severityFromValue(m[1]);
    // Bounded: the words LINE_WORD matches, in the few spellings (INFO, info, Info) logs use.
    if (lineWordSeverity.size < 256) lineWordSeverity.set(m[1], found);
  }
  return found;
}
