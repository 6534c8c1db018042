import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a state-changing request comes from another site: browsers say so in
 * `Sec-Fetch-Site`, and in `Origin` otherwise. A request with neither (curl, a script) is not a
 * browser's cross-site request and passes, so the upstream UI and scripts keep working.
 */
export function isCrossSite(req: IncomingMessage, trustedOrigins: readonly string[] = []): boolean {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return false;
  const site = req.headers['sec-fetch-site'];
  // same-site requests from the portal's own origin behind a proxy are judged by Origin below.
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none' && !(req.headers.origin !== undefined && trustedOrigins.includes(req.headers.origin))) return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (trustedOrigins.includes(origin)) return false;
  try {
    return new URL(origin).host.toLowerCase() !== (req.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}
