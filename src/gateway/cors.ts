import type { CorsConfig } from '../policy/index.js';

/**
 * CORS for one target, precomputed: which origins are allowed and the header values to send.
 * Preflight requests are answered by the gateway (they carry no credentials, so they come
 * before the key check); other answers get the allow headers when the origin is allowed.
 */
export class CorsPolicy {
  readonly #anyOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #credentials: boolean;
  readonly #allowMethods: string;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string;
  readonly #maxAge: string | null;

  constructor(config: CorsConfig) {
    this.#anyOrigin = config.allowOriginList.includes('*');
    this.#origins = new Set(config.allowOriginList);
    this.#patterns = config.allowOriginListRegex.map((r) => new RegExp(r.source, r.flags));
    this.#credentials = config.allowCredentials;
    this.#allowMethods = config.allowMethods.join(', ');
    this.#allowHeaders = config.allowHeaders.join(', ');
    this.#exposeHeaders = config.exposeHeaders.join(', ');
    this.#maxAge = config.maxAge === null ? null : String(config.maxAge);
  }

  isPreflight(method: string, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
    return method === 'OPTIONS' && typeof headers.origin === 'string' && headers['access-control-request-method'] !== undefined;
  }

  /** Headers for a preflight answer, or null when the origin is not allowed. */
  preflight(origin: string): Record<string, string> | null {
    const allowOrigin = this.#allowOrigin(origin);
    if (allowOrigin === null) return null;
    const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin, vary: 'Origin' };
    if (this.#credentials) headers['access-control-allow-credentials'] = 'true';
    if (this.#allowMethods !== '') headers['access-control-allow-methods'] = this.#allowMethods;
    if (this.#allowHeaders !== '') headers['access-control-allow-headers'] = this.#allowHeaders;
    if (this.#maxAge !== null) headers['access-control-max-age'] = this.#maxAge;
    return headers;
  }

  /** Adds the allow headers of an actual (non-preflight) answer. */
  decorate(origin: string | undefined, headers: Record<string, string | string[] | number | undefined>): void {
    if (origin === undefined) return;
    const allowOrigin = this.#allowOrigin(origin);
    headers.vary = headers.vary === undefined ? 'Origin' : `${String(headers.vary)}, Origin`;
    if (allowOrigin === null) return;
    headers['access-control-allow-origin'] = allowOrigin;
    if (this.#credentials) headers['access-control-allow-credentials'] = 'true';
    if (this.#exposeHeaders !== '') headers['access-control-expose-headers'] = this.#exposeHeaders;
  }

  /** Whether answers to `origin` get allow headers. */
  allows(origin: string): boolean {
    return this.#allowOrigin(origin) !== null;
  }

  #allowOrigin(origin: string): string | null {
    // With credentials, browsers refuse '*': echo the origin instead.
    if (this.#anyOrigin) return this.#credentials ? origin : '*';
    if (this.#origins.has(origin) || this.#patterns.some((pattern) => pattern.test(origin))) return origin;
    return null;
  }
}
