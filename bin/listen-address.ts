import net from 'node:net';

/** Where a server listens: a URL to use and the words for the start-up line. */
export interface ListenAddress {
  /** A URL that reaches the server from this machine (loopback when it listens on all interfaces). */
  url: string;
  /** What is bound, for the console: the URL, or "all interfaces" with the address and a URL to open. */
  shown: string;
}

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

/** 0.0.0.0 or :: (what HOST=0.0.0.0 binds: every address of the machine). */
export function isAllInterfaces(host: string): boolean {
  return ALL_INTERFACES.has(host);
}

export function listenAddress(host: string, port: number, scheme = 'http'): ListenAddress {
  if (isAllInterfaces(host)) {
    const loopback = host === '::' ? '[::1]' : '127.0.0.1';
    const url = `${scheme}://${loopback}:${port}`;
    return { url, shown: `all interfaces (${hostPort(host || '0.0.0.0', port)}; open ${url} on this machine)` };
  }
  const url = `${scheme}://${hostPort(host, port)}`;
  return { url, shown: url };
}

/** host:port, an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** A name or address that only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
