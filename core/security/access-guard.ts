import type http from 'node:http';
import { NO_BROWSER_ACCESS, refuseForeignBrowser, type BrowserPolicy } from './browser-guard';

/** Everything one server checks before its routes: browsers (Host, Origin, headers). */
export interface Access {
  browser: BrowserPolicy;
}

/** No browser from elsewhere: what a server uses when its owner gave no policy. */
export const DEFAULT_ACCESS: Access = { browser: NO_BROWSER_ACCESS };

/**
 * Wraps a server's request listener: every request of that port passes the
 * checks first, whatever route it is for (routes added later included).
 */
export function guarded(handler: http.RequestListener, access: Access = DEFAULT_ACCESS): http.RequestListener {
  return (req, res) => {
    if (refuseForeignBrowser(req, res, access.browser)) return;
    handler(req, res);
  };
}
