import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Express } from 'express';
import { Counters } from '../../../core/metrics';
import { createQueryApp } from '../../../query-api/app';
import { openApiDocument } from '../../../query-api/openapi/document';
import { openEmbeddedStores } from '../../../storage/embedded';
import { Authenticator } from '../../../core/security/authenticator';
import { SessionStore } from '../../../core/security/sessions';
import { TokenStore } from '../../../core/security/token-store';

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

  it.each([
    ['AUTH=none', {}],
    ['AUTH=tokens', { access: true }],
  ])('%s: gives every path parameter a schema and every $ref a target', (_name, options) => {
    const doc = openApiDocument(['order_id'], options);
    const text = JSON.stringify(doc);
    const schemas = Object.keys((doc.components as { schemas: Record<string, unknown> }).schemas);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) expect(schemas).toContain(name);
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters: { name: string; in: string; schema: unknown }[] }>>)) {
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(ops)) {
        expect(op.parameters.filter((x) => x.in === 'path').map((x) => x.name).sort()).toEqual(inPath);
        for (const param of op.parameters) expect(param.schema).toBeDefined();
      }
    }
  });

  describe('with AUTH=tokens', () => {
    let withAccess: Express;
    beforeAll(() => {
      const authenticator = new Authenticator(new TokenStore(path.join(dataDir, 'tokens.json')), new SessionStore());
      withAccess = createQueryApp({ spanStore: stores.spans, logStore: stores.logs, counters: new Counters(), authenticator });
    });

    it('describes exactly the routes the app serves: the log-in exchange, the admin API and the log-in page besides the rest', () => {
      const served = routesOf(withAccess);
      expect(served).toEqual(expect.arrayContaining(['POST /api/session', 'DELETE /api/admin/tokens/{id}', 'GET /login', 'GET /api/admin/audit', 'DELETE /api/admin/data']));
      expect(describedOf(openApiDocument(['order_id'], { access: true }))).toEqual(served);
    });

    it('says which credential each operation needs and what the guard answers without one', () => {
      const doc = openApiDocument(['order_id'], { access: true }) as any;
      expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'session']);
      expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
      expect(Object.keys(doc.paths['/api/traces'].get.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
      expect(Object.keys(doc.paths['/api/admin/tokens'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
      for (const open of [doc.paths['/api/health'].get, doc.paths['/api/session'].post, doc.paths['/login'].get]) {
        expect(open.security).toEqual([]);
        expect(open.responses['403']).toBeUndefined();
      }
      // the log-in's own 401 is its answer to a refused token, not the guard's
      expect(doc.paths['/api/session'].post.responses['401'].description).toMatch(/not accepted/);
      expect(doc.paths['/api/health'].get.responses['401']).toBeUndefined();
      expect(doc.paths['/api/session'].post.requestBody.content['application/json'].schema.required).toEqual(['token']);
    });

    it('is what /api/openapi.json serves with AUTH=tokens (and the default document without)', async () => {
      const server = withAccess.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as { port: number };
        const served = (await (await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
        expect(Object.keys(served.paths)).toEqual(expect.arrayContaining(['/api/session', '/api/admin/tokens', '/api/admin/tokens/{id}']));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(Object.keys(openApiDocument(['order_id']).paths as object)).not.toContain('/api/session');
    });
  });
});
