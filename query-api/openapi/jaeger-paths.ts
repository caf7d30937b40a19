import { MAX_TRACES_LIMIT } from '../trace-search-params';
import { JAEGER_DEFAULT_LIMIT, MAX_JAEGER_TRACE_IDS } from '../jaeger/jaeger-params';
import { MAX_SERVICE_NAME_LENGTH } from '../params';
import type { Parameter, Schema } from './parameters';

/** Jaeger's envelope around `data`; errors come in it too (docs/jaeger-api.md). */
function envelope(data: Schema): Schema {
  return {
    type: 'object',
    required: ['data', 'total', 'limit', 'offset', 'errors'],
    properties: {
      data,
      total: { type: 'integer' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      errors: { type: ['array', 'null'], items: { type: 'object', required: ['code', 'msg'], properties: { code: { type: 'integer' }, msg: { type: 'string' } } } },
    },
  };
}

const jaegerError = (description: string) => ({ description, content: { 'application/json': { schema: envelope({ type: 'null' }) } } });

function jaegerOperation(id: string, summary: string, data: Schema, parameters: Parameter[] = []): Record<string, unknown> {
  return {
    get: {
      operationId: id,
      summary,
      parameters,
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: envelope(data) } } },
        400: jaegerError('A parameter is missing or malformed; msg names it'),
        404: jaegerError('Not found'),
        // Node's HTTP server answers this itself, before any route, for a request line plus headers over 16 KiB
        431: { description: 'Request line or headers too large' },
        429: {
          description: "The caller's tenant has TENANT_QUERY_CONCURRENCY requests running already (answered before the Jaeger API, in the query API's shape); try again after Retry-After seconds",
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/RateLimited' } } },
        },
        503: jaegerError('A store is unavailable; try again'),
      },
    },
  };
}

const query = (name: string, description: string, schema: Schema): Parameter => ({ name, in: 'query', required: false, description, schema });
const serviceSchema: Schema = { type: 'string', maxLength: MAX_SERVICE_NAME_LENGTH };
const goDuration: Schema = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+$' };
const hexTraceId: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{1,32}$' };
const trace: Schema = { type: 'object', required: ['traceID', 'spans', 'processes'], description: "A trace in Jaeger's model" };

/** jaeger-query's HTTP API under /jaeger/api (query-api/routes/jaeger.ts). */
export function jaegerPaths(): Record<string, unknown> {
  return {
    '/jaeger/api/services': jaegerOperation('jaegerServices', 'Jaeger API: service names', { type: 'array', items: { type: 'string' } }),
    '/jaeger/api/services/{service}/operations': jaegerOperation('jaegerServiceOperations', 'Jaeger API: operation names of a service', { type: 'array', items: { type: 'string' } }, [
      { name: 'service', in: 'path', required: true, description: 'Service name', schema: serviceSchema },
    ]),
    '/jaeger/api/operations': jaegerOperation(
      'jaegerOperations',
      'Jaeger API: operations of a service (spanKind is always "")',
      { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, spanKind: { type: 'string' } } } },
      [{ name: 'service', in: 'query', required: true, description: 'Service name', schema: serviceSchema }, query('spanKind', 'Accepted and not applied', { type: 'string' })],
    ),
    '/jaeger/api/traces': jaegerOperation('jaegerTraces', 'Jaeger API: traces by id, or a search (service required), newest first', { type: 'array', items: trace }, [
      query('traceID', `Traces by id (repeat, at most ${MAX_JAEGER_TRACE_IDS}); the search parameters are then ignored`, hexTraceId),
      query('service', 'Required for a search', serviceSchema),
      query('operation', 'Only traces with a span of this name', { type: 'string' }),
      query('tags', 'A JSON object of attribute values to match; error / otel.status_code select by status', { type: 'string' }),
      query('minDuration', 'Go duration, e.g. 1.5ms', goDuration),
      query('maxDuration', 'Go duration, e.g. 2s', goDuration),
      query('start', 'Epoch microseconds; default end minus lookback', { type: 'string', pattern: '^\\d{1,17}$' }),
      query('end', 'Epoch microseconds; default now', { type: 'string', pattern: '^\\d{1,17}$' }),
      query('lookback', 'Go duration before end when start is absent; default 1h', goDuration),
      query('limit', `Default ${JAEGER_DEFAULT_LIMIT}, at most ${MAX_TRACES_LIMIT}`, { type: 'integer', minimum: 1 }),
    ]),
    '/jaeger/api/traces/{traceId}': jaegerOperation('jaegerTrace', 'Jaeger API: one trace', { type: 'array', items: trace }, [
      { name: 'traceId', in: 'path', required: true, description: '1 to 32 hex digits', schema: hexTraceId },
    ]),
    '/jaeger/api/dependencies': jaegerOperation(
      'jaegerDependencies',
      'Jaeger API: calls between services over a window',
      { type: 'array', items: { type: 'object', properties: { parent: { type: 'string' }, child: { type: 'string' }, callCount: { type: 'integer' } } } },
      [query('endTs', 'Epoch milliseconds; default now', { type: 'string', pattern: '^\\d{1,14}$' }), query('lookback', 'Milliseconds before endTs; default 24 h', { type: 'string', pattern: '^\\d{1,14}$' })],
    ),
  };
}
