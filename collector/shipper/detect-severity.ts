/** Severity detection: a level field's value or a level word in a plain line, as OTLP number and text. */

export interface Severity {
  number: number;
  text: string;
}

const NONE: Severity = { number: 0, text: '' };

const BY_NAME: Record<string, Severity> = {
  trace: { number: 1, text: 'TRACE' },
  finest: { number: 1, text: 'TRACE' },
  debug: { number: 5, text: 'DEBUG' },
  fine: { number: 5, text: 'DEBUG' },
  info: { number: 9, text: 'INFO' },
  information: { number: 9, text: 'INFO' },
  informational: { number: 9, text: 'INFO' },
  notice: { number: 10, text: 'INFO' },
  warn: { number: 13, text: 'WARN' },
  warning: { number: 13, text: 'WARN' },
  error: { number: 17, text: 'ERROR' },
  err: { number: 17, text: 'ERROR' },
  severe: { number: 17, text: 'ERROR' },
  crit: { number: 21, text: 'FATAL' },
  critical: { number: 21, text: 'FATAL' },
  alert: { number: 22, text: 'FATAL' },
  emerg: { number: 23, text: 'FATAL' },
  fatal: { number: 21, text: 'FATAL' },
  panic: { number: 21, text: 'FATAL' },
};

/** Field names that carry the level, in order of preference. */
export const SEVERITY_FIELDS = ['level', 'severity', 'lvl', 'loglevel', 'log.level', 'levelname', 'severity_text'];

/** A level value: a name (`warn`, `ERROR`, `W`…), an OTLP number 1..24, or a bunyan/pino number (10..60). */
export function severityFromValue(value: unknown): Severity {
  if (typeof value === 'number') {
    if (value >= 10 && value % 10 === 0 && value <= 60) {
      return [BY_NAME.trace, BY_NAME.debug, BY_NAME.info, BY_NAME.warn, BY_NAME.error, BY_NAME.fatal][value / 10 - 1];
    }
    if (Number.isInteger(value) && value >= 1 && value <= 24) return { number: value, text: textOfNumber(value) };
    return NONE;
  }
  if (typeof value !== 'string') return NONE;
  const key = value.trim().toLowerCase();
  if (BY_NAME[key]) return BY_NAME[key];
  if (/^\d+$/.test(key)) return severityFromValue(Number(key));
  const single: Record<string, Severity> = { t: BY_NAME.trace, d: BY_NAME.debug, i: BY_NAME.info, w: BY_NAME.warn, e: BY_NAME.error, f: BY_NAME.fatal };
  return single[key] ?? NONE;
}

function textOfNumber(n: number): string {
  return n >= 21 ? 'FATAL' : n >= 17 ? 'ERROR' : n >= 13 ? 'WARN' : n >= 9 ? 'INFO' : n >= 5 ? 'DEBUG' : 'TRACE';
}

const WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRITICAL|CRIT|FATAL|PANIC)\b/i;
/** How far into a plain line a level word is looked for: further in, "error" is likely message text. */
const PLAIN_PREFIX = 120;

/** Level of a plain line: the first level word near its start (`ERROR`, `[warn]`, `level=info`). */
export function detectLineSeverity(line: string): Severity {
  const m = WORD.exec(line.length > PLAIN_PREFIX ? line.slice(0, PLAIN_PREFIX) : line);
  if (!m) return NONE;
  let found = wordSeverity.get(m[1]);
  if (!found) {
    found = severityFromValue(m[1]);
    // Bounded: the words WORD matches, in the few spellings (INFO, info, Info) logs use.
    if (wordSeverity.size < 256) wordSeverity.set(m[1], found);
  }
  return found;
}

/** Severity of each level word as matched, so a line costs one lookup instead of trim, lowercase and lookup. */
const wordSeverity = new Map<string, Severity>();
