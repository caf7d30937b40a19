import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Express } from 'express';
import { Counters } from '../../../core/metrics';
import { createQueryApp } from '../../../query-api/app';
import { openApiDocument } from '../../../query-api/openapi/document';
import { openEmbeddedStores } from '../../../storage/embedded';

interface RouteLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouteLayer[] };
}

/** Every `METHOD /path` the express app answers, found by walking the router stacks; `:name` written as `{name}`. */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: RouteLayer[], prefix: string) => {
    for (const layer of stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      if (layer.route) {
        const full = (prefix + layer.route.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method.toUpperCase()} ${full}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack, '');
  return found.sort();
}

function describedOf(doc: Record<string, unknown>): string[] {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
}

describe('OpenAPI description of the query API', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let app: Express;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-openapi-'));
    stores = openEmbeddedStores({ dataDir });
    app = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters(), chains: { businessKeys: ['order_id', 'user_id'] } });
  });
  afterAll(() => {
    stores.database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('describes exactly the routes the app serves', () => {
    const served = routesOf(app);
    // the walk itself must see the routers: a broken walk would compare two empty lists
    expect(served).toEqual(expect.arrayContaining(['GET /api/traces/{traceId}', 'GET /api/logs/{id}/context', 'GET /metrics']));
    expect(describedOf(openApiDocument(['order_id']))).toEqual(served);
  });

  it('is served at /api/openapi.json as OpenAPI 3.1 with the configured business keys', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, { get: { parameters: { name: string; schema: { enum?: string[] } }[] } }> };
      expect(doc.openapi).toBe('3.1.0');
      const key = doc.paths['/api/chains'].get.parameters.find((x) => x.name === 'key');
      expect(key?.schema.enum).toEqual(['order_id', 'user_id']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives every path parameter a schema and every $ref a target', () => {
    const doc = openApiDocument(['order_id']);
    const text = JSON.stringify(doc);
    const schemas = Object.keys((doc.components as { schemas: Record<string, unknown> }).schemas);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) expect(schemas).toContain(name);
    for (const [p, ops] of Object.entries(doc.paths as Record<string, { get: { parameters: { name: string; in: string; schema: unknown }[] } }>)) {
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect(ops.get.parameters.filter((x) => x.in === 'path').map((x) => x.name).sort()).toEqual(inPath);
      for (const param of ops.get.parameters) expect(param.schema).toBeDefined();
    }
  });
});
