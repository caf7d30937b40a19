import type { AttributeValue, Attributes } from '../../core/model';

// The serviceFrom grammar is shared with the all-in-one's LOG_SERVICE_FROM (core/log-source-spec.ts).
import type { ServiceRule } from '../../core/log-source-spec';
export { MAX_FIELD_NAME_LENGTH, parseServiceRule, type ServiceRule } from '../../core/log-source-spec';

/**
 * Longest service name the shipper sends, in UTF-16 units; longer ones are cut.
 * The receiver cuts resource attribute values (service.name among them) at 8 KiB
 * and names at 1 KiB (core/limits.ts); 256 stays well inside both and keeps
 * `service.name=<value>` within the search store's 512-character keyword entries.
 */
export const MAX_SERVICE_NAME_LENGTH = 256;

/** The value cut to MAX_SERVICE_NAME_LENGTH (never splitting a surrogate pair), trimmed; '' when nothing is left. */
export function boundServiceName(value: string): string {
  let s = value.trim();
  if (s.length > MAX_SERVICE_NAME_LENGTH) {
    let end = MAX_SERVICE_NAME_LENGTH;
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    s = s.slice(0, end).trimEnd();
  }
  return s;
}

/** A log or rotation extension at the end of a file name: `.log`, `.txt`, `.json(l)`, `.out`, `.err`, `.1`, `.2024-05-01`. */
const LOG_EXTENSION = /\.(?:log|logs|txt|out|err|json|jsonl|ndjson|[\d_-]+)$/i;

/**
 * `order-api.log` → `order-api`, `app.log.1` → `app`, `app.2024-05-01.log` → `app`,
 * `com.example.api.log` → `com.example.api`; '' when nothing is left (`.log`).
 */
export function serviceFromFileName(fileName: string): string {
  let name = fileName;
  for (let stripped = name.replace(LOG_EXTENSION, ''); stripped !== name; stripped = name.replace(LOG_EXTENSION, '')) name = stripped;
  return boundServiceName(name);
}

/** A string or a finite number, as a bounded service name; '' for anything else (objects, lists, booleans, null, empty text). */
function serviceText(value: AttributeValue | undefined): string {
  if (typeof value === 'string') return boundServiceName(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

const own = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

function isObject(value: AttributeValue | undefined): value is { [key: string]: AttributeValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The service name in field `name` of `fields`, which loses the field when it
 * gives one; '' (field left alone) when it is missing or not a usable name.
 * A dotted name is first a literal key (`"service.name": …`), then a path into
 * nested objects (`"service": {"name": …}`); an object left empty is removed too.
 */
export function takeServiceField(fields: Attributes, name: string): string {
  if (own(fields, name)) {
    const service = serviceText(fields[name]);
    if (service) delete fields[name];
    return service;
  }
  for (let dot = name.indexOf('.', 1); dot !== -1 && dot < name.length - 1; dot = name.indexOf('.', dot + 1)) {
    const head = name.slice(0, dot);
    const inner = own(fields, head) ? fields[head] : undefined;
    if (!isObject(inner)) continue;
    const service = takeServiceField(inner, name.slice(dot + 1));
    if (service) {
      for (const _ in inner) return service;
      delete fields[head];
      return service;
    }
  }
  return '';
}

export interface NamedService {
  service: string;
  resource: Attributes;
}

/** Distinct services whose resource objects are kept; past it the cache starts over (still correct, only slower). */
const MAX_CACHED_SERVICES = 1000;
/** Distinct file names whose service is kept. */
const MAX_CACHED_FILES = 1000;

/**
 * Names the records of one source: the rules in order, else the fixed service.
 * Records of one service share one resource object (and one NamedService), so
 * the OTLP encoder groups a batch into one resource per service without lookups.
 */
export class ServiceNamer {
  readonly fallback: NamedService;
  private readonly named = new Map<string, NamedService>();
  private readonly fileServices = new Map<string, string>();

  /** `resource` is the fallback's (its service.name is `service`); other services get a copy with their own service.name. */
  constructor(
    readonly rules: readonly ServiceRule[],
    service: string,
    private readonly baseResource: Attributes,
  ) {
    this.fallback = { service, resource: baseResource['service.name'] === service ? baseResource : { ...baseResource, 'service.name': service } };
    this.named.set(service, this.fallback);
  }

  /** The service of a record with these parsed `fields` (a field a rule used is removed) from file `fileName`. */
  resolve(fields: Attributes, fileName: string): NamedService {
    for (const rule of this.rules) {
      const service = rule.kind === 'field' ? takeServiceField(fields, rule.name) : this.fromFile(fileName);
      if (service) return this.of(service);
    }
    return this.fallback;
  }

  private fromFile(fileName: string): string {
    let service = this.fileServices.get(fileName);
    if (service === undefined) {
      if (this.fileServices.size >= MAX_CACHED_FILES) this.fileServices.clear();
      service = serviceFromFileName(fileName);
      this.fileServices.set(fileName, service);
    }
    return service;
  }

  private of(service: string): NamedService {
    let named = this.named.get(service);
    if (!named) {
      if (this.named.size >= MAX_CACHED_SERVICES) {
        this.named.clear();
        this.named.set(this.fallback.service, this.fallback);
      }
      named = { service, resource: { ...this.baseResource, 'service.name': service } };
      this.named.set(service, named);
    }
    return named;
  }
}
