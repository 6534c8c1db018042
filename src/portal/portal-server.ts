import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { IDENTITY_ERRORS, identityError, IdentityService, MIN_PASSWORD_LENGTH, validateIdentity, type IdentityResult } from '../identity/index.js';
import type { PortalConfig, RuntimeConfig } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { PortalView } from './catalog.js';
import { readJson, sendError, sendJson } from './http-json.js';
import { LoginLimiter } from './login-limiter.js';
import { isCrossSite } from './origin-check.js';
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS, sessionCookie, Sessions } from './session.js';
import { SpecFetcher } from './specs.js';
import { serveStatic } from './static-files.js';

export interface PortalServerOptions {
  readonly store: Store;
  /** The configuration in service (the portal follows it as the gateway does). */
  readonly config: () => RuntimeConfig | undefined;
  /** Where consumers reach the gateway (`http://127.0.0.1:8080`): the `servers` of the docs. */
  readonly gatewayUrl: string;
  readonly serviceOverrides: ReadonlyMap<string, string>;
  readonly signup: 'open' | 'invite';
  /** The built UI; without it the portal serves its API only. */
  readonly uiDir?: string;
  /** Served over HTTPS (sets Secure on the cookie). */
  readonly secure?: boolean;
  /** Origins the portal is reached at behind a proxy that rewrites Host: not cross-site. */
  readonly trustedOrigins?: readonly string[];
  /** Called after a key is created, suspended or deleted, so the gateway knows at once. */
  readonly onKeysChanged?: () => Promise<void>;
  /** Where failures are written (500s leave a trace, never a secret). */
  readonly logger?: { error(message: string, fields?: Readonly<Record<string, unknown>>): void };
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * The developer portal: accounts and sessions, the catalog of what a consumer may call (through
 * the APIPortal's gateway), OpenAPI documents, and the consumer's own keys. The API is the one
 * the upstream portal UI (traefik/hub-apiportal-ui) calls.
 */
export function createPortalServer(options: PortalServerOptions): Server {
  const identity = new IdentityService(options.store.identity);
  const sessions = new Sessions(options.store.portal);
  const limiter = new LoginLimiter();
  const specs = new SpecFetcher({ serviceOverrides: options.serviceOverrides });
  const uiDir = options.uiDir !== undefined && existsSync(options.uiDir) ? options.uiDir : undefined;
  const gatewayUrl = options.gatewayUrl.replace(/\/+$/, '');

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://portal.invalid');
    const config = options.config();
    const found = pickPortal(config, req.headers.host, url.pathname);
    if (config === undefined || found === undefined) return sendError(res, 404, 'ERR_PORTAL_NO_PORTAL', 'no APIPortal is served here yet', SECURITY_HEADERS);
    const { portal, base } = found;
    // `/portals/<name>` without its slash: the UI's relative paths need it.
    if (url.pathname === base.slice(0, -1) && base !== '/') {
      res.writeHead(308, { ...SECURITY_HEADERS, location: `${base}${url.search}` });
      return void res.end();
    }
    const path = url.pathname.slice(base.length - 1) || '/';
    const view = new PortalView(config, portal);
    const method = req.method ?? 'GET';
    if (isCrossSite(req, options.trustedOrigins ?? [])) return sendError(res, 403, 'ERR_PORTAL_CROSS_SITE', 'state changes are refused from other sites', SECURITY_HEADERS);
    const cookieOptions = { path: base, secure: options.secure === true };
    const token = readCookie(req, SESSION_COOKIE);

    if (method === 'POST' && path === '/auth/login') {
      const body = await readJson(req);
      const { email, password } = (body.ok ? (body.value ?? {}) : {}) as { email?: unknown; password?: unknown };
      if (typeof email !== 'string' || typeof password !== 'string') return sendError(res, 400, 'ERR_PORTAL_BAD_BODY', 'send {"email", "password"}', SECURITY_HEADERS);
      const attemptKeys = [`email:${email.trim().toLowerCase()}`, `ip:${req.socket.remoteAddress ?? ''}`];
      const wait = limiter.check(attemptKeys);
      if (wait > 0) return sendError(res, 429, 'ERR_PORTAL_TOO_MANY_ATTEMPTS', 'too many sign-in attempts: try again later', { ...SECURITY_HEADERS, 'retry-after': String(wait) });
      const user = await identity.authenticate(email, password);
      if (user === undefined) {
        limiter.failed(attemptKeys);
        return sendError(res, 401, 'ERR_PORTAL_LOGIN_FAILED', 'wrong email or password', SECURITY_HEADERS);
      }
      limiter.succeeded(`email:${user.email}`);
      const session = await sessions.create(user.email);
      return sendJson(res, 200, { email: user.email, groups: user.groups }, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(session, { ...cookieOptions, maxAgeSeconds: SESSION_TTL_MS / 1000 }) });
    }
    if (method === 'POST' && path === '/auth/logout') {
      await sessions.end(token);
      res.writeHead(204, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie('', { ...cookieOptions, maxAgeSeconds: 0 }) });
      return void res.end();
    }
    if (method === 'POST' && path === '/auth/signup') {
      const body = await readJson(req);
      const { email, password, invitation } = (body.ok ? (body.value ?? {}) : {}) as { email?: unknown; password?: unknown; invitation?: unknown };
      if (typeof email !== 'string' || typeof password !== 'string') return sendError(res, 400, 'ERR_PORTAL_BAD_BODY', 'send {"email", "password"} (and "invitation")', SECURITY_HEADERS);
      let groups: readonly string[] = [];
      // Everything that can be checked is checked before an invitation is used up.
      const invalid = validateIdentity(email, []);
      if (invalid !== undefined && !invalid.ok) return identityFailure(res, invalid);
      if (password.length < MIN_PASSWORD_LENGTH) return identityFailure(res, identityError('ERR_ID_PASSWORD_WEAK', `at least ${MIN_PASSWORD_LENGTH} characters`));
      const normalized = email.trim().toLowerCase();
      const invitationHash = typeof invitation === 'string' ? hash('sha256', invitation, 'hex') : undefined;
      if (options.signup === 'invite') {
        if (invitationHash === undefined) return sendError(res, 403, 'ERR_PORTAL_SIGNUP_CLOSED', 'sign-up is by invitation', SECURITY_HEADERS);
        if (!(await options.store.portal.isInvitationValid(invitationHash, normalized, new Date().toISOString()))) {
          return sendError(res, 403, 'ERR_PORTAL_SIGNUP_CLOSED', 'this invitation is not valid for this email', SECURITY_HEADERS);
        }
      }
      if ((await identity.findUser(email)) !== undefined) return identityFailure(res, identityError('ERR_ID_USER_EXISTS', normalized));
      if (options.signup === 'invite') {
        const invited = await options.store.portal.useInvitation(invitationHash!, normalized, new Date().toISOString());
        if (invited === undefined) return sendError(res, 403, 'ERR_PORTAL_SIGNUP_CLOSED', 'this invitation is not valid for this email', SECURITY_HEADERS);
        groups = invited.groups;
      }
      const created = await identity.addUser(email, groups, password);
      if (!created.ok) return identityFailure(res, created);
      return sendJson(res, 201, { email: email.trim().toLowerCase(), groups }, SECURITY_HEADERS);
    }

    // What the sign-in page needs to know before anyone signs in.
    if (method === 'GET' && path === '/auth/config') return sendJson(res, 200, { signup: options.signup, title: portal.title }, SECURITY_HEADERS);

    if (path.startsWith('/api/') || path === '/api' || path === '/auth/me') {
      const email = await sessions.email(token);
      const user = email === undefined ? undefined : await identity.findUser(email);
      if (user === undefined) return sendError(res, 401, 'ERR_PORTAL_UNAUTHENTICATED', 'sign in first', SECURITY_HEADERS);
      const groups = user.groups;
      if (method === 'GET' && path === '/auth/me') return sendJson(res, 200, { email: user.email, groups }, SECURITY_HEADERS);
      if (method === 'GET' && (path === '/api/' || path === '/api')) return sendJson(res, 200, view.catalog(groups), SECURITY_HEADERS);
      const spec = /^\/api(?:\/collections\/([^/]+))?\/apis\/([^/@]+)@([^/]+)(?:\/versions\/([^/]+))?$/.exec(path);
      if (method === 'GET' && spec !== null) {
        const [, collection, name, namespace, version] = spec.map((part) => (part === undefined ? undefined : safeDecode(part)));
        // An API the consumer's groups cannot call does not exist, as far as they can tell.
        const found = view.resolve(name!, namespace!, collection, groups);
        const target = found === undefined ? undefined : found.api.targets[version ?? found.api.currentVersion ?? ''];
        if (found === undefined || target === undefined) return sendError(res, 404, 'ERR_PORTAL_NOT_FOUND', 'no such API in this portal', SECURITY_HEADERS);
        const place = view.serverOf(found.key, collection ?? null, target.version, gatewayUrl);
        const result = await specs.fetch(target, place?.url ?? gatewayUrl, place?.strip ?? '', place?.conditions ?? []);
        if (!result.ok) return sendError(res, result.status, result.status === 404 ? 'ERR_PORTAL_NO_SPEC' : 'ERR_PORTAL_SPEC_FETCH', result.message, SECURITY_HEADERS);
        return sendJson(res, 200, result.document, SECURITY_HEADERS);
      }
      if (path === '/api/tokens' || path === '/api/tokens/suspend') return tokens(req, res, method, path, user.email);
      return sendError(res, 404, 'ERR_PORTAL_NOT_FOUND', 'no such portal endpoint', SECURITY_HEADERS);
    }

    if ((method === 'GET' || method === 'HEAD') && uiDir !== undefined) {
      if (await serveStatic(uiDir, path, res, { ...SECURITY_HEADERS, 'content-security-policy': csp(gatewayUrl) })) return;
    }
    sendError(res, 404, 'ERR_PORTAL_NOT_FOUND', 'not found', SECURITY_HEADERS);
  };

  const tokens = async (req: IncomingMessage, res: ServerResponse, method: string, path: string, email: string): Promise<void> => {
    const allowed = path === '/api/tokens' ? ['GET', 'POST', 'DELETE'] : ['POST'];
    if (!allowed.includes(method)) return sendError(res, 405, 'ERR_PORTAL_METHOD', `${method} is not allowed here`, { ...SECURITY_HEADERS, allow: allowed.join(', ') });
    const changed = async () => options.onKeysChanged?.().catch(() => undefined);
    if (method === 'GET' && path === '/api/tokens') {
      return sendJson(res, 200, (await identity.listKeys(email)).map((k) => ({ name: k.name, suspended: k.suspended, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt })), SECURITY_HEADERS);
    }
    const body = await readJson(req);
    const { name, suspend } = (body.ok ? (body.value ?? {}) : {}) as { name?: unknown; suspend?: unknown };
    if (typeof name !== 'string') return sendError(res, 400, 'ERR_PORTAL_BAD_BODY', 'send {"name"}', SECURITY_HEADERS);
    if (method === 'POST' && path === '/api/tokens') {
      const created = await identity.createKey(email, name);
      if (!created.ok) return identityFailure(res, created);
      await changed();
      // The only time the key exists in clear: it is never stored or logged.
      return sendJson(res, 200, { token: created.value }, SECURITY_HEADERS);
    }
    if (method === 'POST' && path === '/api/tokens/suspend') {
      if (typeof suspend !== 'boolean') return sendError(res, 400, 'ERR_PORTAL_BAD_BODY', 'send {"name", "suspend": true|false}', SECURITY_HEADERS);
      const result = await identity.setSuspended(email, name, suspend);
      if (!result.ok) return identityFailure(res, result);
      await changed();
      res.writeHead(200, SECURITY_HEADERS);
      return void res.end();
    }
    if (method === 'DELETE' && path === '/api/tokens') {
      const result = await identity.deleteKey(email, name);
      if (!result.ok) return identityFailure(res, result);
      await changed();
      res.writeHead(204, SECURITY_HEADERS);
      return void res.end();
    }
    sendError(res, 405, 'ERR_PORTAL_METHOD', `${method} is not allowed here`, SECURITY_HEADERS);
  };

  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      options.logger?.error('portal request failed', { path: (req.url ?? '').split('?')[0], error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendError(res, 500, 'ERR_PORTAL_INTERNAL', 'the request failed', SECURITY_HEADERS);
      else res.destroy();
    });
  });
}

function identityFailure(res: ServerResponse, result: Extract<IdentityResult<unknown>, { ok: false }>): void {
  sendError(res, IDENTITY_ERRORS[result.code].status, result.code, result.message, SECURITY_HEADERS);
}

/**
 * Which portal a request is for: the one whose customDomains name the Host; else
 * `/portals/<name>/...`; else the first portal (by name) at the root.
 */
export function pickPortal(config: RuntimeConfig | undefined, host: string | undefined, path: string): { portal: PortalConfig; base: string } | undefined {
  if (config === undefined || config.portals.length === 0) return undefined;
  const hostname = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  const byHost = config.portals.find((p) => p.hosts.includes(hostname));
  if (byHost !== undefined) return { portal: byHost, base: '/' };
  const named = /^\/portals\/([a-z0-9-]+)(\/|$)/.exec(path);
  if (named !== null) {
    const portal = config.portals.find((p) => p.name === named[1]);
    if (portal !== undefined) return { portal, base: `/portals/${portal.name}/` };
  }
  const first = config.portals.find((p) => p.hosts.length === 0) ?? config.portals[0]!;
  return { portal: first, base: '/' };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Everything from the portal itself; the docs' try-it calls go to the gateway. */
function csp(gatewayUrl: string): string {
  let gateway = '';
  try {
    gateway = new URL(gatewayUrl).origin;
  } catch {
    // no gateway origin to allow
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    `connect-src 'self' ${gateway}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** A sign-up invitation: its token (shown once, in a link) is stored only as a hash. */
export async function createInvitation(store: Store, email: string, groups: readonly string[], ttlMs = 7 * 86_400_000): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await store.portal.createInvitation(hash('sha256', token, 'hex'), { email: email.trim().toLowerCase(), groups, expiresAt: new Date(Date.now() + ttlMs).toISOString() });
  return token;
}
