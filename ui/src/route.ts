/** Hash routes: #/traces?…, #/trace/<traceId>, #/logs?… */

export interface Route {
  /** Path segments, decoded: ['traces'], ['trace', '<id>'], ['logs']. */
  path: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const pathPart = q >= 0 ? raw.slice(0, q) : raw;
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const path = pathPart
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, params };
}

export function formatHash(path: string[], params?: URLSearchParams): string {
  const p = '#/' + path.map(encodeURIComponent).join('/');
  const qs = params ? params.toString() : '';
  return qs ? `${p}?${qs}` : p;
}

export function traceHref(traceId: string): string {
  return formatHash(['trace', traceId]);
}

/** Navigates (adds a history entry, fires hashchange). */
export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Records view state in the URL without re-rendering the view. */
export function replaceHash(hash: string): void {
  history.replaceState(history.state, '', hash);
}
