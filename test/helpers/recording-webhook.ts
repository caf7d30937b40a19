import http from 'node:http';

/** One post of the alert evaluator's webhook (the fields tests read). */
export interface WebhookPost {
  status: string;
  alerts: { labels: Record<string, string>; startsAt: string }[];
}

export interface RecordingWebhook {
  url: string;
  /** Every post answered 200, in order. */
  posts: WebhookPost[];
  /** Answers the next `n` posts 500 (not recorded). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** A local webhook on a free loopback port that records what it is posted. */
export async function startRecordingWebhook(): Promise<RecordingWebhook> {
  const posts: WebhookPost[] = [];
  let failing = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (failing > 0) {
        failing--;
        res.statusCode = 500;
        return res.end('down');
      }
      posts.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    posts,
    failNext: (n) => (failing = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
