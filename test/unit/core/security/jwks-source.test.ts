import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { JwksSource, MAX_JWKS_BYTES } from '../../../../core/security/jwks-source';
import { freePort } from '../../../helpers/free-port';
import { jwksOf, makeKey, type TestKey } from '../../../helpers/jwt-issuer';
import { waitFor } from '../../../helpers/wait';

/** A JWKS endpoint whose answer the test changes, counting the fetches. */
async function jwksServer(initial: string) {
  const state = { body: initial, status: 200, fetches: 0 };
  const server = http.createServer((_req, res) => {
    state.fetches++;
    res.writeHead(state.status, { 'Content-Type': 'application/json' }).end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let first: TestKey;
let second: TestKey;
beforeAll(() => {
  first = makeKey('ES256');
  second = makeKey('ES256');
});

describe('JwksSource from a URL', () => {
  it('fetches once and answers known kids from memory', async () => {
    const idp = await jwksServer(jwksOf(first));
    const keys = new JwksSource({ url: idp.url, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
    try {
      expect(await keys.start()).toBeUndefined();
      for (let i = 0; i < 50; i++) expect(await keys.keysFor(first.kid)).toHaveLength(1);
      expect(idp.state.fetches).toBe(1);
    } finally {
      keys.stop();
      await idp.close();
    }
  });

  it('key rotation: an unknown kid fetches again at once, but not more often than minRefetchMs', async () => {
    const idp = await jwksServer(jwksOf(first));
    const keys = new JwksSource({ url: idp.url, refreshMs: 3_600_000, minRefetchMs: 1500 });
    try {
      await keys.start();
      await new Promise((r) => setTimeout(r, 1600)); // the first load counts as the last fetch
      idp.state.body = jwksOf(first, second);
      expect(await keys.keysFor(second.kid)).toHaveLength(1);
      expect(idp.state.fetches).toBe(2);
      // a stream of made-up kids cannot make it hammer the provider
      for (let i = 0; i < 20; i++) expect(await keys.keysFor(`made-up-${i}`)).toHaveLength(0);
      expect(idp.state.fetches).toBe(2);
    } finally {
      keys.stop();
      await idp.close();
    }
  });

  it('a provider down at start is reported, not thrown; keys load on a later refresh; a failed refresh keeps the keys held', async () => {
    const idp = await jwksServer(jwksOf(first));
    idp.state.status = 500;
    const lines: string[] = [];
    const keys = new JwksSource({ url: idp.url, refreshMs: 100, minRefetchMs: 50, log: (l) => lines.push(l) });
    try {
      expect(await keys.start()).toMatch(/answered HTTP 500/);
      expect(keys.size).toBe(0);
      idp.state.status = 200;
      await waitFor(async () => keys.size === 1, 'the keys loaded by the refresh timer', 5000);
      idp.state.status = 503;
      const fetched = idp.state.fetches;
      await waitFor(async () => idp.state.fetches > fetched + 1, 'two failed refreshes', 5000);
      expect(keys.size).toBe(1);
      expect(keys.error).toMatch(/answered HTTP 503/);
      expect(lines.join('\n')).toMatch(/keeping the 1 key\(s\) loaded/);
    } finally {
      keys.stop();
      await idp.close();
    }
  });

  it('a JWKS larger than MAX_JWKS_BYTES is refused', async () => {
    const idp = await jwksServer(JSON.stringify({ keys: [first.jwk], pad: 'x'.repeat(MAX_JWKS_BYTES) }));
    const keys = new JwksSource({ url: idp.url, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
    try {
      expect(await keys.start()).toMatch(/larger than 1048576 bytes/);
    } finally {
      keys.stop();
      await idp.close();
    }
  });

  it('an address nobody answers on is an error with its cause', async () => {
    const port = await freePort();
    const keys = new JwksSource({ url: `http://127.0.0.1:${port}/jwks`, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
    expect(await keys.start()).toMatch(new RegExp(`JWKS http://127.0.0.1:${port}/jwks: fetch failed \\(.*ECONNREFUSED`));
    keys.stop();
  });
});

describe('JwksSource from a file', () => {
  it('is read again when the file changes (a rotated key appears without a restart)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-jwks-'));
    const file = path.join(dir, 'jwks.json');
    fs.writeFileSync(file, jwksOf(first));
    const keys = new JwksSource({ file, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
    try {
      await keys.start();
      expect(await keys.keysFor(second.kid)).toHaveLength(0);
      fs.writeFileSync(file, jwksOf(first, second));
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
      await waitFor(async () => (await keys.keysFor(second.kid)).length === 1, 'the rotated key read from the changed file', 5000);
    } finally {
      keys.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
