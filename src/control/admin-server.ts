import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAdminToken } from './admin-token.js';
import { sendError, sendJson } from '../portal/index.js';

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>) => void | Promise<void>;

export interface AdminRoute {
  readonly method: string;
  /** `/api/v1/deployments/:id`: segments starting with ':' capture. */
  readonly path: string;
  readonly handler: AdminHandler;
  /** Open routes (health, metrics, signed webhooks) skip the admin token. */
  readonly open?: boolean;
}

export interface AdminServerOptions {
  readonly token: string;
  readonly routes: readonly AdminRoute[];
  readonly onError?: (error: unknown) => void;
}

/**
 * The admin listener: JSON endpoints behind `Authorization: Bearer <admin token>`, plus the open
 * health and metrics endpoints. Errors map to `{"error":{"code","message"}}` here only.
 */
export function createAdminServer(options: AdminServerOptions): Server {
  const routes = options.routes.map((route) => ({ ...route, segments: route.path.split('/') }));
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const segments = url.pathname.split('/');
    let pathMatched = false;
    for (const route of routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      if (route.open !== true) {
        const header = req.headers.authorization;
        const presented = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
        if (!isAdminToken(presented, options.token)) {
          return sendError(res, 401, 'ERR_ADMIN_UNAUTHORIZED', 'send Authorization: Bearer <admin token>', { 'www-authenticate': 'Bearer' });
        }
      }
      try {
        await route.handler(req, res, params);
      } catch (error) {
        options.onError?.(error);
        if (!res.headersSent) sendError(res, 500, 'ERR_ADMIN_INTERNAL', 'the request failed; see the control plane log');
        else res.destroy();
      }
      return;
    }
    if (pathMatched) return sendError(res, 405, 'ERR_ADMIN_METHOD', `${req.method ?? ''} is not allowed here`);
    sendError(res, 404, 'ERR_ADMIN_NOT_FOUND', 'no such admin endpoint');
  });
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const got = actual[i]!;
    if (expected.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[expected.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (expected !== got) {
      return undefined;
    }
  }
  return params;
}

export { sendJson, sendError };
