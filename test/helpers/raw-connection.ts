import net from 'node:net';

/** A raw TCP client of an HTTP server that records what it got and when the server closed it. */
export interface RawConnection {
  socket: net.Socket;
  openedAt: number;
  /** Everything the server sent, as latin1 text. */
  received(): string;
  /** Milliseconds from open to the server's close (resolves when the socket closes). */
  closed: Promise<number>;
  /** Writes `text` one byte every `intervalMs` until it is all sent or the socket closes. */
  dribble(text: string, intervalMs: number): void;
}

/** Connects and resolves once the connection is established. */
export function openRawConnection(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => {}); // a reset after the server gave up on us is expected
    const closed = new Promise<number>((done) => socket.once('close', () => {
      if (timer) clearInterval(timer);
      done(Date.now() - connection.openedAt);
    }));
    const connection: RawConnection = {
      socket,
      openedAt: 0,
      received: () => text,
      closed,
      dribble(payload, intervalMs) {
        let i = 0;
        timer = setInterval(() => {
          if (i >= payload.length || socket.destroyed) return void clearInterval(timer);
          socket.write(payload[i++]);
        }, intervalMs);
      },
    };
    socket.once('connect', () => {
      connection.openedAt = Date.now();
      socket.off('error', reject);
      resolve(connection);
    });
    socket.once('error', reject);
  });
}

/** The status code of the first HTTP response in `text`, or undefined when there is none. */
export function statusOf(text: string): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : undefined;
}
