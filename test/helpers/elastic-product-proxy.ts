import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP proxy in front of a real OpenSearch node that lets the
 * official @elastic/elasticsearch 8 client talk to it: the client sends
 * Elasticsearch's versioned media types (`application/vnd.elasticsearch+json;
 * compatible-with=8`), which OpenSearch does not know, and refuses any answer
 * without `X-Elastic-Product: Elasticsearch`. The proxy rewrites the first and
 * adds the second; everything else (paths, bodies, statuses) passes unchanged,
 * so the Elasticsearch transport's requests meet a real engine.
 */
export interface ElasticProductProxy {
  url: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

const VERSIONED = /application\/vnd\.elasticsearch\+(json|x-ndjson)(\s*;\s*compatible-with=\d+)?/i;

/** `application/vnd.elasticsearch+x-ndjson; compatible-with=8` → `application/x-ndjson`, and so on. */
export function plainMediaType(value: string | undefined): string | undefined {
  return value?.replace(VERSIONED, (_, subtype: string) => `application/${subtype}`);
}

export async function startElasticProductProxy(targetUrl: string): Promise<ElasticProductProxy> {
  const target = new URL(targetUrl);
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    forwarded++;
    const headers = { ...req.headers, host: target.host };
    for (const name of ['content-type', 'accept'] as const) {
      const plain = plainMediaType(req.headers[name]);
      if (plain !== undefined) headers[name] = plain;
    }
    const upstream = http.request(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-elastic-product': 'Elasticsearch' });
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
