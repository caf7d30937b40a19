import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert of one webhook notification, as the bench heard it. */
export interface HeardAlert {
  /** When the notification arrived (bench clock, ms). */
  atMs: number;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  /** The alert's own startsAt (when the evaluator saw it fire), as sent. */
  startsAt: string;
  summary: string;
}

export interface AlertReceiver {
  url: string;
  /** Every alert heard, in arrival order. */
  heard: HeardAlert[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A plain webhook receiver for ALERT_WEBHOOK_URL (`{ status, alerts }`, docs/alerts.md)
 * or for an Alertmanager webhook receiver (same two fields, each alert with its own status).
 */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const heard: HeardAlert[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const atMs = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string; alerts?: { status?: string; labels?: Record<string, string>; annotations?: Record<string, string>; startsAt?: string }[] };
        for (const a of body.alerts ?? []) {
          const status = (a.status ?? body.status) === 'resolved' ? 'resolved' : 'firing';
          const alert: HeardAlert = { atMs, status, labels: a.labels ?? {}, startsAt: a.startsAt ?? '', summary: a.annotations?.summary ?? '' };
          heard.push(alert);
        }
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    heard,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
