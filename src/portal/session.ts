import { hash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PortalRepository } from '../store/index.js';

export const SESSION_COOKIE = 'gitgate_session';
/** Sessions last a day of use at most; sign in again after. */
export const SESSION_TTL_MS = 24 * 3_600_000;

/** Reads one cookie from a request (no library: one name, no attributes). */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site
 * POSTs), Secure on HTTPS, scoped to the portal's path.
 */
export function sessionCookie(value: string, options: { path: string; secure: boolean; maxAgeSeconds: number }): string {
  return [`${SESSION_COOKIE}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Sessions are stored by the SHA-256 of their token, like API keys. */
export class Sessions {
  readonly #repository: PortalRepository;

  constructor(repository: PortalRepository) {
    this.#repository = repository;
  }

  async create(email: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.#repository.createSession(hash('sha256', token, 'hex'), email, new Date(Date.now() + SESSION_TTL_MS).toISOString());
    return token;
  }

  async email(token: string | undefined): Promise<string | undefined> {
    if (token === undefined || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    return this.#repository.findSession(hash('sha256', token, 'hex'), new Date().toISOString());
  }

  async end(token: string | undefined): Promise<void> {
    if (token !== undefined) await this.#repository.deleteSession(hash('sha256', token, 'hex'));
  }
}
