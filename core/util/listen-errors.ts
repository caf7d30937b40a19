import { CannotStartError } from '../errors';

/**
 * A failure to listen as configured, as one line naming the setting to change:
 * the port setting (`PORT`, `OTLP_HTTP_PORT`, ...) when the port is taken or
 * not allowed, `HOST` when the host cannot be resolved or is not an address of
 * this machine. Other errors are returned as they are.
 */
export function cannotListen(err: unknown, portSetting: string, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CannotStartError(`${portSetting}=${port}: ${where} is already in use (another program listens there; choose another ${portSetting}, or 0 for any free port)`);
    case 'EACCES':
      return new CannotStartError(`${portSetting}=${port}: not allowed to listen on ${where} (ports below 1024 need privileges; choose another ${portSetting})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new CannotStartError(`HOST=${host}: cannot resolve this name to an address to listen on (use an IP address such as 127.0.0.1 or 0.0.0.0)`);
    case 'EADDRNOTAVAIL':
      return new CannotStartError(`HOST=${host}: not an address of this machine (use one of its addresses, 127.0.0.1 or 0.0.0.0)`);
    default:
      return err;
  }
}

/** Runs a component's `start` (which listens) and explains a failure to listen as one line naming `portSetting` or HOST. */
export async function startListening(start: () => Promise<number>, portSetting: string, host: string, port: number): Promise<number> {
  try {
    return await start();
  } catch (err) {
    throw cannotListen(err, portSetting, host, port);
  }
}
