import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MULTILINE_DEFAULTS, SHIPPER_DEFAULTS, type ShipperOptions, type ShipperSource } from './options';
import { parseParserSpec } from './parsers';
import { MAX_SERVICE_NAME_LENGTH, parseServiceRule, type ServiceRule } from './service-name';

export const SHIP_USAGE = `usage: chainscope ship --path GLOB [--path GLOB ...] --service NAME --endpoint URL --state-dir DIR [options]
       chainscope ship --config FILE [--endpoint URL] [--state-dir DIR]

Tails log files and sends their lines as OTLP logs to a Chainscope collector.

  --path GLOB              file(s) to follow; * ? [..] within a folder, ** across folders (repeatable)
  --service NAME           service.name of these records (with --service-from: of those it names none for)
  --service-from RULE      service.name per record: field:<name> (a parsed field, then not an attribute)
                           or file (file name without .log/.1...); repeatable, tried in order
  --endpoint URL           collector OTLP/HTTP base URL, e.g. http://127.0.0.1:4318
                           (AUTH=tokens there: put an ingest token in the CHAINSCOPE_TOKEN environment variable)
  --state-dir DIR          where checkpoints are kept (one folder per shipper)
  --format F               plain (default), json, logfmt, or regex:<pattern with (?<name>...) groups>
  --multiline-start REGEX  a line matching REGEX starts a record; other lines continue it (stack traces)
  --config FILE            JSON file with many sources: {"endpoint", "stateDir", "sources": [{"paths", "service", "serviceFrom", "format", "multiline": {"start", "maxLines", "maxBytes"}}], ...}
  --status-interval-ms N   status line on stderr every N ms when it changed (default 5000; 0: off)
  --batch-size N           records per request, at most (default 5000)

See docs/shipper.md.
`;

/** A wrong command line or config file: the message says what, and the caller prints SHIP_USAGE. */
export class ShipUsageError extends Error {}

const FLAGS_WITH_VALUE = new Set(['--path', '--service', '--service-from', '--endpoint', '--state-dir', '--format', '--multiline-start', '--config', '--status-interval-ms', '--batch-size']);

/** Parses `chainscope ship` arguments (and the config file they name) into shipper options. */
export function parseShipArgs(argv: readonly string[], cwd = process.cwd()): ShipperOptions | 'help' {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (!FLAGS_WITH_VALUE.has(arg)) throw new ShipUsageError(`unknown option "${argv[i]}"`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ShipUsageError(`${arg} needs a value`);
    }
    values.set(arg, [...(values.get(arg) ?? []), value]);
  }
  const one = (flag: string): string | undefined => {
    const all = values.get(flag);
    if (all && all.length > 1) throw new ShipUsageError(`${flag} may be given once`);
    return all?.[0];
  };

  const file = one('--config');
  const fromFile = file ? readShipConfig(path.resolve(cwd, file)) : {};
  const sources: ShipperSource[] = [...(fromFile.sources ?? [])];
  const paths = values.get('--path') ?? [];
  if (paths.length > 0) {
    const service = one('--service');
    if (!service) throw new ShipUsageError('--service is required with --path');
    sources.push(
      makeSource(
        {
          paths: paths.map((p) => path.resolve(cwd, p)),
          service,
          serviceFrom: values.get('--service-from') ?? [],
          format: one('--format') ?? 'plain',
          multilineStart: one('--multiline-start'),
        },
        { service: '--service', serviceFrom: '--service-from', format: '--format', multiline: '--multiline-start' },
      ),
    );
  } else if (['--service', '--service-from', '--format', '--multiline-start'].some((flag) => values.has(flag))) {
    throw new ShipUsageError('--service, --service-from, --format and --multiline-start describe a --path; give at least one --path');
  }
  if (sources.length === 0) throw new ShipUsageError('nothing to ship: give --path GLOB (or --config FILE with sources)');

  const endpoint = one('--endpoint') ?? fromFile.endpoint;
  if (!endpoint) throw new ShipUsageError('--endpoint is required (the collector, e.g. http://127.0.0.1:4318)');
  checkUrl(endpoint);
  const stateDir = one('--state-dir') ?? fromFile.stateDir;
  if (!stateDir) throw new ShipUsageError('--state-dir is required (where checkpoints are kept)');

  const options: ShipperOptions = {
    ...SHIPPER_DEFAULTS,
    ...fromFile.settings,
    sources,
    endpoint: endpoint.replace(/\/+$/, ''),
    stateDir: path.resolve(cwd, stateDir),
    hostName: os.hostname(),
  };
  const status = one('--status-interval-ms');
  if (status !== undefined) options.statusIntervalMs = wholeNumber(status, '--status-interval-ms', 0);
  const batch = one('--batch-size');
  if (batch !== undefined) options.batchMaxRecords = wholeNumber(batch, '--batch-size', 1);
  return options;
}

function wholeNumber(value: unknown, name: string, min: number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min) throw new ShipUsageError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function checkUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ShipUsageError(`--endpoint must be a URL like http://127.0.0.1:4318, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ShipUsageError(`--endpoint must be http or https, got "${value}"`);
}

interface SourceSpec {
  paths: string[];
  service: string;
  serviceFrom: readonly string[];
  format: string;
  multilineStart?: string;
  maxLines?: unknown;
  maxBytes?: unknown;
}

/** How the caller spells each option in its messages (`--service-from`, `sources[0].serviceFrom`, `LOG_SERVICE_FROM`). */
interface SourceNames {
  service: string;
  serviceFrom: string;
  format: string;
  multiline: string;
}

function makeSource(spec: SourceSpec, names: SourceNames): ShipperSource {
  const { paths, service } = spec;
  if (service.trim() === '') throw new ShipUsageError(`${names.service} must not be empty`);
  if (service.length > MAX_SERVICE_NAME_LENGTH) throw new ShipUsageError(`${names.service} must be at most ${MAX_SERVICE_NAME_LENGTH} characters, got ${service.length}`);
  let parser;
  try {
    parser = parseParserSpec(spec.format);
  } catch (err) {
    throw new ShipUsageError(`${names.format}: ${(err as Error).message}`);
  }
  const source: ShipperSource = { paths, service, parser };
  if (spec.serviceFrom.length > 0) source.serviceFrom = spec.serviceFrom.map((value) => serviceRule(value, names.serviceFrom));
  if (spec.multilineStart !== undefined) {
    let start: RegExp;
    try {
      start = new RegExp(spec.multilineStart);
    } catch (err) {
      throw new ShipUsageError(`${names.multiline} is not a valid regular expression: ${(err as Error).message}`);
    }
    source.multiline = {
      start,
      maxLines: spec.maxLines === undefined ? MULTILINE_DEFAULTS.maxLines : wholeNumber(spec.maxLines, `${names.multiline}.maxLines`, 1),
      maxBytes: spec.maxBytes === undefined ? MULTILINE_DEFAULTS.maxBytes : wholeNumber(spec.maxBytes, `${names.multiline}.maxBytes`, 64),
    };
  }
  return source;
}

function serviceRule(value: string, name: string): ServiceRule {
  try {
    return parseServiceRule(value);
  } catch (err) {
    throw new ShipUsageError(`${name} ${(err as Error).message}`);
  }
}

/** Keys of one source in the config file. */
const SOURCE_KEYS = ['paths', 'service', 'serviceFrom', 'format', 'multiline'];

/** Settings the config file may set besides sources, endpoint and stateDir. */
const SETTING_KEYS = ['businessKeys', 'batchMaxRecords', 'batchMaxBytes', 'batchWaitMs', 'maxInFlightRequests', 'scanIntervalMs', 'pollIntervalMs', 'multilineIdleMs', 'rotatedIdleMs', 'statusIntervalMs', 'maxLineBytes', 'requestTimeoutMs', 'maxBackoffMs', 'forgetAfterMs'] as const;

interface ShipConfigFile {
  endpoint?: string;
  stateDir?: string;
  sources?: ShipperSource[];
  settings?: Partial<ShipperOptions>;
}

/** Reads the config file; unknown keys and wrong types are usage errors naming the key. */
export function readShipConfig(file: string): ShipConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ShipUsageError(`--config ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ShipUsageError(`--config ${file} must hold a JSON object`);
  const obj = raw as Record<string, unknown>;
  const known = ['endpoint', 'stateDir', 'sources', ...SETTING_KEYS];
  for (const key of Object.keys(obj)) if (!known.includes(key)) throw new ShipUsageError(`--config: unknown key "${key}" (known: ${known.join(', ')})`);
  const out: ShipConfigFile = { settings: {} };
  if (obj.endpoint !== undefined) out.endpoint = String(obj.endpoint);
  if (obj.stateDir !== undefined) out.stateDir = path.resolve(path.dirname(file), String(obj.stateDir));
  for (const key of SETTING_KEYS) {
    if (obj[key] === undefined) continue;
    if (key === 'businessKeys') {
      if (!Array.isArray(obj[key]) || !(obj[key] as unknown[]).every((v) => typeof v === 'string')) throw new ShipUsageError('--config: businessKeys must be a list of strings');
      out.settings!.businessKeys = obj[key] as string[];
    } else {
      (out.settings as Record<string, number>)[key] = wholeNumber(obj[key], `--config: ${key}`, key === 'statusIntervalMs' ? 0 : 1);
    }
  }
  if (obj.sources !== undefined) {
    if (!Array.isArray(obj.sources) || obj.sources.length === 0) throw new ShipUsageError('--config: sources must be a non-empty list');
    out.sources = obj.sources.map((s, i) => {
      const where = `--config: sources[${i}].`;
      if (!s || typeof s !== 'object') throw new ShipUsageError(`${where} must be an object`);
      const src = s as Record<string, unknown>;
      for (const key of Object.keys(src)) {
        if (!SOURCE_KEYS.includes(key)) throw new ShipUsageError(`${where}${key} is unknown (known: ${SOURCE_KEYS.join(', ')})`);
      }
      const paths = typeof src.paths === 'string' ? [src.paths] : src.paths;
      if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p !== '')) throw new ShipUsageError(`${where}paths must be a non-empty list of globs`);
      if (typeof src.service !== 'string') throw new ShipUsageError(`${where}service is required`);
      const ml = src.multiline as Record<string, unknown> | undefined;
      if (ml !== undefined && (typeof ml !== 'object' || typeof ml.start !== 'string')) throw new ShipUsageError(`${where}multiline must be {"start": "<regex>", "maxLines"?, "maxBytes"?}`);
      const serviceFrom = src.serviceFrom === undefined ? [] : typeof src.serviceFrom === 'string' ? [src.serviceFrom] : src.serviceFrom;
      if (!Array.isArray(serviceFrom) || !serviceFrom.every((v) => typeof v === 'string')) {
        throw new ShipUsageError(`${where}serviceFrom must be "field:<name>", "file" or a list of them, got ${JSON.stringify(src.serviceFrom)}`);
      }
      return makeSource(
        {
          paths: (paths as string[]).map((p) => path.resolve(path.dirname(file), p)),
          service: src.service,
          serviceFrom: serviceFrom as string[],
          format: src.format === undefined ? 'plain' : String(src.format),
          multilineStart: ml?.start as string | undefined,
          maxLines: ml?.maxLines,
          maxBytes: ml?.maxBytes,
        },
        { service: `${where}service`, serviceFrom: `${where}serviceFrom`, format: `${where}format`, multiline: `${where}multiline` },
      );
    });
  }
  return out;
}

/** Shipper options of the all-in-one (LOG_PATHS, LOG_SERVICE, LOG_SERVICE_FROM, LOG_FORMAT, LOG_MULTILINE_START), sending to its own receiver. */
export function shipperOptionsFromConfig(
  config: { logPaths: string[]; logService: string; logServiceFrom: string[]; logFormat: string; logMultilineStart: string; dataDir: string; businessKeys: string[] },
  endpoint: string,
): ShipperOptions {
  return {
    ...SHIPPER_DEFAULTS,
    sources: [
      makeSource(
        {
          paths: config.logPaths.map((p) => path.resolve(p)),
          service: config.logService,
          serviceFrom: config.logServiceFrom,
          format: config.logFormat,
          multilineStart: config.logMultilineStart || undefined,
        },
        { service: 'LOG_SERVICE', serviceFrom: 'LOG_SERVICE_FROM', format: 'LOG_FORMAT', multiline: 'LOG_MULTILINE_START' },
      ),
    ],
    endpoint,
    stateDir: path.resolve(config.dataDir, 'shipper'),
    businessKeys: config.businessKeys,
    hostName: os.hostname(),
    statusIntervalMs: 60_000,
  };
}
