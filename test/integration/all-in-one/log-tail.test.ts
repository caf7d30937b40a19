import crypto from 'node:crypto';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonLogs, type JsonLogSpec } from '../../helpers/otlp-json';
import { waitFor } from '../../helpers/wait';

interface SseEvent {
  event: string;
  data: string;
  id?: string;
  atMs: number;
}

/** A Server-Sent Events client on fetch: collects events as they arrive. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  contentType = '';
  /** The body of a refused request. */
  refusal = '';
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  async open(url: string, headers: Record<string, string> = {}): Promise<this> {
    const res = await fetch(url, { signal: this.abort.signal, headers: { accept: 'text/event-stream', ...headers } });
    this.status = res.status;
    this.contentType = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !res.body) {
      this.refusal = await res.text();
      return this;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    this.done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            this.parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // aborted or cut by the server
      }
    })();
    return this;
  }

  private parse(block: string): void {
    const ev: SseEvent = { event: 'message', data: '', atMs: Date.now() };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) ev.event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      else if (line.startsWith('id:')) ev.id = line.slice(3).trim();
    }
    if (data.length) {
      ev.data = data.join('\n');
      this.events.push(ev);
    }
  }

  logs(): Array<{ id: string; body: string; service: string; timeUs: number }> {
    return this.events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data));
  }

  /** Resolves when the stream has ended. */
  ended(): Promise<void> {
    return this.done;
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.done;
  }
}

describe('log context and live tail over the all-in-one', () => {
  let app: TestAllInOne;
  const run = crypto.randomBytes(4).toString('hex');
  const service = `tail-${run}`;
  const post = async (logs: JsonLogSpec[]) => {
    const res = await fetch(`${app.otlpUrl}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: otlpJsonLogs(logs) });
    expect(res.status).toBe(200);
  };
  const clients: SseClient[] = [];
  const tail = async (query: string, headers: Record<string, string> = {}) => {
    const client = await new SseClient().open(`${app.apiUrl}/api/logs/tail?${query}`, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    app = await startTestAllInOne();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.dispose();
  });

  describe('context', () => {
    const base = Date.now() - 60_000;
    beforeAll(async () => {
      await post([
        ...[0, 1, 2, 3, 4].map((i) => ({ service, timeMs: base + i * 10, body: `context line ${i} ${run}` })),
        { service: `${service}-other`, timeMs: base + 15, body: `other source ${run}` },
      ]);
      await waitFor(async () => (await getJson(`${app.apiUrl}/api/logs?service=${service}`)).body.total === 5 || undefined, 'context lines');
    });

    it('answers the neighbouring lines of the same source, oldest first, anchor included', async () => {
      const all = (await getJson(`${app.apiUrl}/api/logs?service=${service}&limit=10`)).body.logs as Array<{ id: string; body: string }>;
      const anchor = all.find((l) => l.body === `context line 2 ${run}`)!;
      const res = await getJson(`${app.apiUrl}/api/logs/${anchor.id}/context?before=1&after=1`);
      expect(res.status).toBe(200);
      expect(res.body.anchorId).toBe(anchor.id);
      expect(res.body.logs.map((l: { body: string }) => l.body)).toEqual([1, 2, 3].map((i) => `context line ${i} ${run}`));
      expect(res.body.logs[1]).toMatchObject({ id: anchor.id, service, severityText: 'INFO' });

      const wide = await getJson(`${app.apiUrl}/api/logs/${anchor.id}/context`);
      expect(wide.body.logs.map((l: { body: string }) => l.body)).toEqual([0, 1, 2, 3, 4].map((i) => `context line ${i} ${run}`));
    });

    it('404 for an unknown id, 400 naming the parameter', async () => {
      const missing = await getJson(`${app.apiUrl}/api/logs/${'0'.repeat(32)}/context`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatch(/no log record/);
      for (const [qs, parameter] of [
        ['before=abc', 'before'],
        ['after=201', 'after'],
        ['before=-1', 'before'],
        ['after=1.5', 'after'],
      ]) {
        const res = await getJson(`${app.apiUrl}/api/logs/${'a'.repeat(32)}/context?${qs}`);
        expect({ qs, status: res.status, parameter: res.body.parameter }).toEqual({ qs, status: 400, parameter });
      }
      const badId = await getJson(`${app.apiUrl}/api/logs/${encodeURIComponent('a b<')}/context`);
      expect(badId).toMatchObject({ status: 400, body: { parameter: 'id' } });
    });
  });

  describe('tail', () => {
    it('streams a matching line posted over OTLP within 2 s, and only new matching lines', async () => {
      const word = `tailword${run}`;
      await post([{ service, timeMs: Date.now() - 1000, body: `${word} stored before the tail opened` }]);
      await waitFor(async () => (await getJson(`${app.apiUrl}/api/logs?q=${word}`)).body.total === 1 || undefined, 'old line');

      const client = await tail(`q=${word}`);
      expect(client.status).toBe(200);
      expect(client.contentType).toMatch(/^text\/event-stream/);
      await waitFor(() => client.comments.includes('tail open') || undefined, 'stream opened');
      // give the tail its first poll, which records what was already there
      await new Promise((r) => setTimeout(r, 700));

      const postedAt = Date.now();
      await post([
        { service, timeMs: Date.now(), body: `${word} fresh line one`, severityText: 'ERROR', severityNumber: 17, attributes: { 'order.id': `ORD-${run}` } },
        { service, timeMs: Date.now(), body: `unrelated line ${run}` },
      ]);
      await waitFor(() => client.logs().length >= 1 || undefined, 'the fresh line on the stream', 5_000);
      const first = client.events.find((e) => e.event === 'log')!;
      expect(first.atMs - postedAt).toBeLessThan(2_000);
      const line = client.logs()[0];
      expect(line).toMatchObject({ body: `${word} fresh line one`, service, severityText: 'ERROR', attributes: { 'order.id': `ORD-${run}` } });
      expect(first.id).toBe(`${line.timeUs}-${line.id}`);

      await post([{ service, timeMs: Date.now(), body: `${word} fresh line two` }]);
      await waitFor(() => client.logs().length >= 2 || undefined, 'the second line', 5_000);
      // one more poll round: nothing is sent twice, the old and the unrelated line never
      await new Promise((r) => setTimeout(r, 1_200));
      expect(client.logs().map((l) => l.body)).toEqual([`${word} fresh line one`, `${word} fresh line two`]);
    });

    it('filters by service as /api/logs does', async () => {
      const word = `svcword${run}`;
      const client = await tail(`q=${word}&service=${service}-b`);
      await waitFor(() => client.comments.includes('tail open') || undefined, 'stream opened');
      await new Promise((r) => setTimeout(r, 700));
      await post([
        { service: `${service}-a`, timeMs: Date.now(), body: `${word} from a` },
        { service: `${service}-b`, timeMs: Date.now(), body: `${word} from b` },
      ]);
      await waitFor(() => client.logs().length >= 1 || undefined, 'b line', 5_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(client.logs().map((l) => l.service)).toEqual([`${service}-b`]);
    });

    it('takes the query language; a syntax error is a 400 with its position, before the stream starts', async () => {
      const res = await fetch(`${app.apiUrl}/api/logs/tail?q=${encodeURIComponent('level:error AND (')}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ parameter: 'q', position: 17, expected: expect.any(Array) });
      const long = await fetch(`${app.apiUrl}/api/logs/tail?q=${'x'.repeat(2100)}`);
      expect(long.status).toBe(400);
      expect(await long.json()).toMatchObject({ parameter: 'q' });

      const word = `langword${run}`;
      const client = await tail(`q=${encodeURIComponent(`${word} level:error -service:${service}-c`)}`);
      await waitFor(() => client.comments.includes('tail open') || undefined, 'stream opened');
      await new Promise((r) => setTimeout(r, 700));
      await post([
        { service: `${service}-a`, timeMs: Date.now(), body: `${word} info`, severityText: 'INFO', severityNumber: 9 },
        { service: `${service}-c`, timeMs: Date.now(), body: `${word} excluded`, severityText: 'ERROR', severityNumber: 17 },
        { service: `${service}-a`, timeMs: Date.now(), body: `${word} error`, severityText: 'ERROR', severityNumber: 17 },
      ]);
      await waitFor(() => client.logs().length >= 1 || undefined, 'the error line', 5_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(client.logs().map((l) => l.body)).toEqual([`${word} error`]);
    });

    it('resumes after Last-Event-ID with exactly the lines written while disconnected, then stays live', async () => {
      const word = `resumeword${run}`;
      const stored = async (n: number) =>
        waitFor(async () => (await getJson(`${app.apiUrl}/api/logs?q=${word}`)).body.total === n || undefined, `${n} lines stored`);
      // first connection: not in `clients`, it is closed here
      const first = await new SseClient().open(`${app.apiUrl}/api/logs/tail?q=${word}`);
      await waitFor(() => first.comments.includes('tail open') || undefined, 'stream opened');
      await new Promise((r) => setTimeout(r, 700));
      // one ms apart: lines of the same µs are ordered by id
      const at = (i: number) => Date.now() + i;
      await post([1, 2].map((i) => ({ service, timeMs: at(i), body: `${word} line ${i}` })));
      await waitFor(() => first.logs().length >= 2 || undefined, 'two lines on the first connection', 5_000);
      const lastId = first.events.filter((e) => e.event === 'log').at(-1)!.id!;
      await first.close();

      await post([3, 4, 5].map((i) => ({ service, timeMs: at(i), body: `${word} line ${i}` })));
      await stored(5);
      const again = await tail(`q=${word}`, { 'Last-Event-ID': lastId });
      expect(again.status).toBe(200);
      await waitFor(() => again.logs().length >= 3 || undefined, 'the lines written while disconnected', 5_000);
      await post([{ service, timeMs: at(6), body: `${word} line 6` }]);
      await waitFor(() => again.logs().length >= 4 || undefined, 'a live line after the resume', 5_000);
      // one more poll round: nothing more, nothing twice
      await new Promise((r) => setTimeout(r, 1_200));
      expect(first.logs().map((l) => l.body)).toEqual([1, 2].map((i) => `${word} line ${i}`));
      expect(again.logs().map((l) => l.body)).toEqual([3, 4, 5, 6].map((i) => `${word} line ${i}`));
      const ids = again.events.filter((e) => e.event === 'log').map((e) => e.id);
      expect(ids).toEqual(again.logs().map((l) => `${l.timeUs}-${l.id}`));
    });

    it('answers a malformed Last-Event-ID with 400 naming the header; an empty one opens a new tail', async () => {
      for (const bad of ['garbage', '123', 'abc-0123', '1714564800000000-', '1714564800000000-a b', `99999999999999999999-${'a'.repeat(32)}`]) {
        const res = await fetch(`${app.apiUrl}/api/logs/tail?q=x`, { headers: { 'Last-Event-ID': bad } });
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
        expect(await res.json()).toMatchObject({ parameter: 'Last-Event-ID', error: expect.stringMatching(/^Last-Event-ID must be the id of an event this tail sent/) });
      }
      const fresh = await tail(`q=emptyid${run}`, { 'Last-Event-ID': '' });
      expect(fresh.status).toBe(200);
    });

    it('refuses more than 50 concurrent tails with 503 and Retry-After; a closed tail frees its place', async () => {
      const open = clients.filter((c) => c.status === 200).length;
      const extra: SseClient[] = [];
      for (let i = open; i < 50; i++) extra.push(await tail(`q=limit${run}`));
      expect(extra.every((c) => c.status === 200)).toBe(true);
      const refused = await fetch(`${app.apiUrl}/api/logs/tail`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      await refused.text();

      await extra[0].close();
      const again = await waitFor(async () => {
        const c = await new SseClient().open(`${app.apiUrl}/api/logs/tail`);
        if (c.status === 200) return c;
        return undefined;
      }, 'a freed tail place', 5_000);
      clients.push(again);
      await Promise.all([again, ...extra.slice(1)].map((c) => c.close()));
    });

    it('does not hold shutdown: open streams are ended', async () => {
      // the streams closed above free their places once the server sees the disconnect
      const client = await waitFor(async () => {
        const c = await new SseClient().open(`${app.apiUrl}/api/logs/tail?q=shutdown`);
        return c.status === 200 ? c : undefined;
      }, 'a free tail place', 5_000);
      clients.push(client);
      const started = Date.now();
      await app.dispose();
      await client.ended();
      expect(Date.now() - started).toBeLessThan(5_000);
      app = undefined as unknown as TestAllInOne;
    });
  });
});
