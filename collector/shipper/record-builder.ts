import { DEFAULT_INPUT_LIMITS } from '../../core/limits';
import { capAttributes, capBody } from '../../core/log-normalise/attributes';
import { detectLineSeverity, severityFromValue, UNKNOWN_SEVERITY } from '../../core/log-normalise/severity';
import { detectLineTime, timeFromValue } from '../../core/log-normalise/time';
import type { Attributes, LogRecord } from '../../core/model';
import { extractBusinessKeys, extractTraceContext } from './extract-context';
import type { LineParser } from './parsers';
import type { ServiceNamer } from './service-name';

/** Field names that carry the record time, in order of preference. */
export const TIME_FIELDS = ['timestamp', 'time', '@timestamp', 'ts', 'datetime', 'date', 't'];

/** Field names that carry the level, in order of preference. */
export const SEVERITY_FIELDS = ['level', 'severity', 'lvl', 'loglevel', 'log.level', 'levelname', 'severity_text'];

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

/** Attribute names the shipper adds to every record. */
export const FILE_PATH_ATTRIBUTE = 'log.file.path';
export const FILE_OFFSET_ATTRIBUTE = 'log.file.offset';
export const FILE_NAME_ATTRIBUTE = 'log.file.name';
const FILE_ATTRIBUTES = 3;

export interface RecordContext {
  /** Resource and service of the records (the fallback when `namer` names them per record). */
  resource: Attributes;
  scope: { name: string; version: string };
  service: string;
  /** The source's `serviceFrom`: takes the service from a field or the file name; absent: always `service`. */
  namer?: ServiceNamer;
  parser: LineParser;
  businessKeys: readonly string[];
}

/**
 * One log record from the text of one (possibly joined) record. `timeUs` is 0
 * when the text has no timestamp: the shipper fills it in deterministically
 * (see Shipper), never with the read time, so a replay gets the same id.
 * `id` stays '': the collector derives it from content and origin, and the
 * file path + byte offset attributes make equal lines at different offsets
 * distinct while a replay of the same offset collapses onto the first copy.
 */
export function buildRecord(ctx: RecordContext, text: string, originPath: string, fileName: string, offset: number): { record: LogRecord; parsed: boolean } {
  const { body, fields, parsed } = ctx.parser(text);
  // First, so that a field naming the service is not also read as a time, level or attribute.
  const { service, resource } = ctx.namer ? ctx.namer.resolve(fields, fileName) : ctx;
  // Plain lines have no fields: skip looking for a dozen names in an empty object.
  const hasFields = !isEmpty(fields);
  let timeUs = 0;
  for (let i = 0; hasFields && i < TIME_FIELDS.length; i++) {
    const name = TIME_FIELDS[i];
    if (fields[name] !== undefined) {
      timeUs = timeFromValue(fields[name]);
      if (timeUs) {
        delete fields[name];
        break;
      }
    }
  }
  if (!timeUs) timeUs = detectLineTime(text);
  let severity = UNKNOWN_SEVERITY;
  for (let i = 0; hasFields && i < SEVERITY_FIELDS.length; i++) {
    const name = SEVERITY_FIELDS[i];
    if (fields[name] !== undefined) {
      severity = severityFromValue(fields[name]);
      if (severity.number) {
        delete fields[name];
        break;
      }
    }
  }
  if (!severity.number) severity = detectLineSeverity(text);
  const { traceId, spanId } = extractTraceContext(fields, text);
  // Within the caps, with room for the business keys and file attributes added below.
  const attributes: Attributes = hasFields ? capAttributes(fields, DEFAULT_INPUT_LIMITS.maxAttributesPerItem - FILE_ATTRIBUTES - ctx.businessKeys.length) : fields;
  if (ctx.businessKeys.length > 0) extractBusinessKeys(fields, text, ctx.businessKeys, attributes);
  attributes[FILE_PATH_ATTRIBUTE] = originPath;
  attributes[FILE_NAME_ATTRIBUTE] = fileName;
  attributes[FILE_OFFSET_ATTRIBUTE] = offset;
  return {
    record: {
      id: '',
      timeUs,
      observedTimeUs: timeUs,
      service,
      severityText: severity.text,
      severityNumber: severity.number,
      body: capBody(body),
      traceId,
      spanId,
      attributes,
      resource,
      scope: ctx.scope,
    },
    parsed,
  };
}
