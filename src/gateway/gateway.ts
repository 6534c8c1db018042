import { pipeline } from 'node:stream';
import type { Consumer, KeyLookup } from '../identity/index.js';
import { effectiveLimit, type RuntimeConfig } from '../policy/index.js';
import { BodyLimit } from './body-limit.js';
import { canonicalizeTarget, MAX_TARGET_LENGTH } from './canonical-path.js';
import { CompiledConfig, type CompiledRoute } from './compiled-config.js';
import { CorsPolicy } from './cors.js';
import type { Http1Response } from './http1-response.js';
import type { Http1Request } from './http1-server.js';
import { ERROR_BODIES, GATEWAY_ERRORS, type GatewayErrorCode } from './errors.js';
import { bucketKey, MemoryBucketStore, type BucketStore, type RateDecision, type SharedBucketStore } from './rate-limiter.js';
import { bearerToken, hostName, IDENTITY_HEADERS, inspectHeaders, isHopByHop, isStrippedRequestHeader, type HeaderFacts } from './request-headers.js';
import { metricMethod, type RequestRecorder } from './request-telemetry.js';
import { UpstreamPools, type Endpoint, type UpstreamOptions } from './upstream.js';
import { ProxyHandler, type ProxyOutcome } from './proxy-handler.js';

/** One line of the access log: never the key, never the query string. */
export interface AccessLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string | undefined;
  readonly durationMs: number;
  readonly api: string;
  readonly version: string;
  readonly email: string;
  readonly tokenName: string;
  readonly revision: string;
  readonly client: string;
}

export interface GatewayOptions {
  readonly keys: KeyLookup;
  readonly buckets?: BucketStore;
  /** Where `strategy: distributed` buckets live (Redis); without it they are this process's own. */
  readonly sharedBuckets?: SharedBucketStore;
  readonly telemetry?: RequestRecorder;
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /** Called for every authenticated request, to record when a key was last used. */
  readonly onKeyUsed?: (consumer: Consumer) => void;
  /** Called for every authorized request: the API, the operation set that granted it, the consumer. */
  readonly onUsage?: (api: string, operation: string, consumer: Consumer) => void;
  /** `namespace/name` → base URL, for Services resolved by cluster DNS (running outside Kubernetes). */
  readonly serviceOverrides?: ReadonlyMap<string, string>;
  readonly upstream?: Partial<UpstreamOptions>;
  /** Largest request body forwarded (413 beyond). */
  readonly maxBodyBytes?: number;
  /** The scheme clients used, for X-Forwarded-Proto. */
  readonly scheme?: 'http' | 'https';
  /**
   * Origins of the developer portals: their docs' try-it console calls APIs from the browser
   * with a key in Authorization (never cookies), so these origins get CORS answers on every API.
   */
  readonly portalOrigins?: readonly string[];
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Errors of a connection the backend closed under us: worth one retry on a fresh connection. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Per request: what the answer needs once the proxy or a rejection finishes it. */
interface Exchange {
  readonly req: Http1Request;
  readonly res: Http1Response;
  readonly start: number;
  readonly config: CompiledConfig;
  path: string;
  /** The Origin header (read with the other headers, so the hot path never builds req.headers). */
  origin: string | undefined;
  route: CompiledRoute | undefined;
  consumer: Consumer | undefined;
  rate: RateDecision | undefined;
}

/**
 * The data plane: canonical path → route → key → access → rate limit → proxy, on the
 * configuration swapped in last. Rejections are answers, not exceptions.
 */
export class Gateway {
  readonly #options: GatewayOptions;
  readonly #pools: UpstreamPools;
  readonly #buckets: BucketStore;
  readonly #shared: SharedBucketStore | null;
  readonly #maxBody: number;
  readonly #scheme: string;
  #config: CompiledConfig | undefined;
  readonly #portalCors: CorsPolicy | null;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#pools = new UpstreamPools(options.upstream);
    this.#buckets = options.buckets ?? new MemoryBucketStore();
    this.#shared = options.sharedBuckets ?? null;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#scheme = options.scheme ?? 'http';
    const origins = options.portalOrigins ?? [];
    this.#portalCors =
      origins.length === 0
        ? null
        : new CorsPolicy({
            allowCredentials: false,
            allowHeaders: ['Authorization', 'Content-Type', 'Accept'],
            allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
            allowOriginList: [...origins],
            allowOriginListRegex: [],
            exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
            maxAge: 600,
          });
  }

  /** The target's CORS policy, or the portals' for a portal origin the target does not allow. */
  #corsFor(target: CompiledRoute['target'] | undefined, origin: string | undefined): CorsPolicy | null {
    const own = target?.cors ?? null;
    if (origin === undefined || this.#portalCors === null) return own;
    if (own !== null && own.allows(origin)) return own;
    return this.#portalCors.allows(origin) ? this.#portalCors : own;
  }

  /**
   * Swaps in a new configuration: built aside, then one assignment. Requests in flight keep the
   * configuration they started with. Returns problems with routes that cannot be served.
   */
  apply(config: RuntimeConfig): readonly string[] {
    this.#pools.beginConfig();
    return this.#swap(CompiledConfig.build(config, this.#pools, this.#options.serviceOverrides ?? new Map()));
  }

  /**
   * The same, compiled in slices between requests: a large configuration (10,000 APIs) takes
   * most of a second to compile, which must not stall the traffic the current one serves.
   */
  async applyInSlices(config: RuntimeConfig): Promise<readonly string[]> {
    this.#pools.beginConfig();
    return this.#swap(await CompiledConfig.buildInSlices(config, this.#pools, this.#options.serviceOverrides ?? new Map()));
  }

  #swap(compiled: CompiledConfig): readonly string[] {
    this.#config = compiled;
    this.#pools.releaseUnused();
    return compiled.problems;
  }

  /** The revision and hash being served, or undefined before the first apply. */
  get current(): { readonly revision: string; readonly hash: string } | undefined {
    return this.#config === undefined ? undefined : { revision: this.#config.revision, hash: this.#config.hash };
  }

  readonly handle = (req: Http1Request, res: Http1Response): void => {
    const config = this.#config;
    const exchange: Exchange = { req, res, start: performance.now(), config: config!, path: '', origin: undefined, route: undefined, consumer: undefined, rate: undefined };
    if (config === undefined) return this.#reject(exchange, 'ERR_GW_NOT_READY');
    if (req.method === 'CONNECT') return this.#reject(exchange, 'ERR_GW_BAD_REQUEST');
    const facts = inspectHeaders(req.rawHeaders);
    if (!facts.ok) return this.#reject(exchange, facts.code);
    exchange.origin = facts.origin;
    const host = hostName(facts.host);
    if (host === undefined) return this.#reject(exchange, 'ERR_GW_BAD_HOST');
    const url = req.url;
    if (url.length > MAX_TARGET_LENGTH) return this.#reject(exchange, 'ERR_GW_TARGET_TOO_LONG');
    const target = canonicalizeTarget(url);
    if (!target.ok) return this.#reject(exchange, 'ERR_GW_BAD_PATH');
    exchange.path = target.path;

    const route = config.routerFor(host)?.match(target.path, target.query, req);
    if (route === undefined) return this.#reject(exchange, 'ERR_GW_ROUTE_NOT_FOUND');
    exchange.route = route;
    const method = req.method;
    const cors = this.#corsFor(route.target, facts.origin);
    if (cors !== null && facts.origin !== undefined && method === 'OPTIONS' && cors.isPreflight(method, req.headers)) return this.#preflight(exchange, cors.preflight(facts.origin));

    const key = bearerToken(facts.authorization);
    if (key === undefined) return this.#reject(exchange, 'ERR_GW_KEY_MISSING');
    const consumer = this.#options.keys.lookup(key);
    if (consumer === undefined) return this.#reject(exchange, 'ERR_GW_KEY_INVALID');
    exchange.consumer = consumer;
    this.#options.onKeyUsed?.(consumer);

    const upstreamPath = upstreamPathOf(route, target.path);
    const operation = route.access.grantingOperation(consumer.groups, method, upstreamPath);
    if (operation === undefined) return this.#reject(exchange, 'ERR_GW_FORBIDDEN');
    this.#options.onUsage?.(route.api.key, operation, consumer);

    const limit = effectiveLimit(route.api.rateLimits, consumer.groups);
    if (limit !== null) {
      const key = bucketKey(consumer.email, route.api.key, limit);
      if (limit.strategy === 'distributed' && this.#shared !== null) {
        // The one step that may wait: a round trip to the store every gateway shares.
        void this.#shared.take(key, limit).then((decision) => {
          exchange.rate = decision;
          if (!decision.allowed) return this.#reject(exchange, 'ERR_GW_RATE_LIMITED');
          this.#proxy(exchange, facts, method, upstreamPath, target.query);
        });
        return;
      }
      exchange.rate = this.#buckets.take(key, limit, Date.now());
      if (!exchange.rate.allowed) return this.#reject(exchange, 'ERR_GW_RATE_LIMITED');
    }
    this.#proxy(exchange, facts, method, upstreamPath, target.query);
  };

  /** The last steps of an authorized request: body limit, upstream headers, forward. */
  #proxy(exchange: Exchange, facts: HeaderFacts & { ok: true }, method: string, upstreamPath: string, query: string): void {
    const { req } = exchange;
    const route = exchange.route!;
    const length = facts.contentLength;
    if (length !== undefined && Number(length) > this.#maxBody) return this.#reject(exchange, 'ERR_GW_BODY_TOO_LARGE');
    const headers = this.#upstreamHeaders(req, route, exchange.consumer!, facts.connectionTokens, facts.host!);
    // pipeline(), not pipe(): a client that goes away mid-body must fail the upstream request too.
    const body = req.body === null ? null : facts.chunked ? pipeline(req.body, new BodyLimit(this.#maxBody), () => undefined) : req.body;
    const endpoint = route.target.upstream.pick();
    const path = endpoint.basePath + upstreamPath + (query === '' ? '' : `?${query}`);
    this.#forward(exchange, endpoint, method, path, headers, body, true);
  }

  /** The request headers the backend receives, as a flat name/value list in the client's order. */
  #upstreamHeaders(req: Http1Request, route: CompiledRoute, consumer: Consumer, connectionTokens: readonly string[], host: string): string[] {
    const raw = req.rawHeaders;
    const out: string[] = [];
    const deleted = route.target.requestDelete;
    const setNames = route.target.requestSetNames;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (isStrippedRequestHeader(lower) || lower === 'expect' || deleted.has(lower) || setNames.has(lower)) continue;
      if (connectionTokens.length > 0 && connectionTokens.includes(lower)) continue;
      out.push(name, raw[i + 1]!);
    }
    out.push(
      'x-forwarded-for', req.socket.remoteAddress ?? '',
      'x-forwarded-proto', this.#scheme,
      'x-forwarded-host', host,
      IDENTITY_HEADERS.email, consumer.email,
      IDENTITY_HEADERS.tokenName, consumer.keyName,
      IDENTITY_HEADERS.groups, consumer.groups.join(','),
    );
    for (const [name, value] of route.target.requestSet) out.push(name, value);
    return out;
  }

  #forward(exchange: Exchange, endpoint: Endpoint, method: string, path: string, headers: string[], body: NodeJS.ReadableStream | null, mayRetry: boolean): void {
    const { res, route } = exchange;
    const outcome: ProxyOutcome = {
      responseHeaders: (raw) => this.#responseHeaders(exchange, raw),
      completed: (status) => this.#finish(exchange, status, undefined),
      failed: (error, started) => {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (started) {
          // The answer has started: all that is left is to cut it, so the client sees a failure.
          res.destroy();
          return this.#finish(exchange, res.statusCode, TIMEOUT_CODES.has(code) ? 'ERR_GW_UPSTREAM_TIMEOUT' : 'ERR_GW_UPSTREAM_UNAVAILABLE');
        }
        if (res.destroyed || res.socket?.destroyed !== false) return this.#finish(exchange, 499, undefined);
        if (mayRetry && body === null && IDEMPOTENT.has(method) && RESET_CODES.has(code)) {
          // A kept-alive connection the backend had closed: one retry, on another connection.
          return this.#forward(exchange, route!.target.upstream.pick(), method, path, headers, body, false);
        }
        if (code === 'ERR_GW_BODY_TOO_LARGE') return this.#reject(exchange, 'ERR_GW_BODY_TOO_LARGE');
        this.#reject(exchange, TIMEOUT_CODES.has(code) ? 'ERR_GW_UPSTREAM_TIMEOUT' : 'ERR_GW_UPSTREAM_UNAVAILABLE');
      },
    };
    const handler = new ProxyHandler(res, outcome);
    if (body === null) endpoint.lean.dispatch({ path, method, headers }, handler);
    else endpoint.pool.dispatch({ path, method: method as 'GET', headers, body: body as never }, handler as never);
  }

  /** The client's response headers: the upstream's minus hop-by-hop and deleted ones, plus rules. */
  #responseHeaders(exchange: Exchange, raw: readonly (string | Buffer)[]): string[] {
    const target = exchange.route!.target;
    const deleted = target.responseDelete;
    const setNames = target.responseSetNames;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const item = raw[i]!;
      const name = typeof item === 'string' ? item : item.toString('latin1');
      const lower = name.toLowerCase();
      if (isHopByHop(lower) || setNames.has(lower) || (deleted.length > 0 && deleted.includes(lower))) continue;
      const value = raw[i + 1]!;
      out.push(name, typeof value === 'string' ? value : value.toString('latin1'));
    }
    for (const [name, value] of target.responseSet) out.push(name, value);
    this.#decorateList(exchange, out);
    return out;
  }

  /** The same decoration as #decorate, for a flat header list. */
  #decorateList(exchange: Exchange, out: string[]): void {
    const cors = exchange.route === undefined ? null : this.#corsFor(exchange.route.target, exchange.origin);
    const rate = exchange.rate;
    if (cors === null && rate === undefined) return;
    const extra: Record<string, string | string[] | number | undefined> = {};
    this.#decorate(exchange, extra);
    for (const name in extra) {
      const value = extra[name];
      if (name === 'vary') {
        // Merge with the backend's own Vary rather than sending two.
        const at = out.findIndex((n, i) => i % 2 === 0 && n.toLowerCase() === 'vary');
        if (at !== -1) {
          out[at + 1] = `${out[at + 1]}, Origin`;
          continue;
        }
      }
      if (value !== undefined) out.push(name, String(value));
    }
  }

  /** CORS and rate-limit headers: on proxied answers and on the gateway's own. */
  #decorate(exchange: Exchange, headers: Record<string, string | string[] | number | undefined>): void {
    const cors = exchange.route === undefined ? null : this.#corsFor(exchange.route.target, exchange.origin);
    if (cors !== null) cors.decorate(exchange.origin, headers);
    const rate = exchange.rate;
    if (rate !== undefined) {
      headers['ratelimit-limit'] = rate.limit;
      headers['ratelimit-remaining'] = rate.remaining;
      headers['ratelimit-reset'] = rate.resetSeconds;
      if (!rate.allowed) headers['retry-after'] = rate.retryAfterSeconds;
    }
  }

  #preflight(exchange: Exchange, allowed: Record<string, string> | null): void {
    // An origin that is not allowed gets an answer without allow headers: the browser refuses.
    exchange.res.writeHead(204, allowed ?? { vary: 'Origin' });
    exchange.res.end();
    this.#finish(exchange, 204, undefined);
  }

  #reject(exchange: Exchange, code: GatewayErrorCode): void {
    const { res } = exchange;
    const status = GATEWAY_ERRORS[code].status;
    const body = ERROR_BODIES[code];
    const headers: Record<string, string | string[] | number | undefined> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    };
    if (status === 401) headers['www-authenticate'] = code === 'ERR_GW_KEY_INVALID' ? 'Bearer error="invalid_token"' : 'Bearer';
    // A request the gateway could not even parse may be followed by anything: do not reuse it.
    if (status === 400 || status === 414 || status === 431) headers.connection = 'close';
    this.#decorate(exchange, headers);
    res.writeHead(status, headers);
    res.end(exchange.req.method === 'HEAD' ? undefined : body);
    this.#finish(exchange, status, code);
  }

  #finish(exchange: Exchange, status: number, code: string | undefined): void {
    const seconds = (performance.now() - exchange.start) / 1000;
    const { route, consumer, config } = exchange;
    const telemetry = this.#options.telemetry;
    const revision = config?.revision ?? '';
    if (telemetry !== undefined) {
      // The key is made of parts precomputed per route and per consumer: the labels object is
      // built only the first time a label set is seen.
      const method = metricMethod(exchange.req.method);
      const key = `${route?.metricKey ?? revision}\0${consumer?.metricKey ?? ''}\0${status}\0${method}`;
      telemetry.record(
        key,
        () => ({
          api_name: route?.api.key ?? '',
          api_version_name: route?.target.version ?? '',
          code: String(status),
          method,
          email: consumer?.email ?? '',
          token_name: consumer?.keyName ?? '',
          revision,
        }),
        seconds,
      );
    }
    this.#options.accessLog?.({
      method: metricMethod(exchange.req.method),
      path: exchange.path,
      status,
      code,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      api: route?.api.key ?? '',
      version: route?.target.version ?? '',
      email: consumer?.email ?? '',
      tokenName: consumer?.keyName ?? '',
      revision,
      client: exchange.req.socket.remoteAddress ?? '',
    });
  }

  async close(): Promise<void> {
    await this.#pools.close();
    if (this.#buckets instanceof MemoryBucketStore) this.#buckets.close();
    await this.#shared?.close();
  }
}

/** The path the backend receives: the route's prefix replaced by its upstream prefix. */
export function upstreamPathOf(route: { readonly pathPrefix: string; readonly upstreamPrefix: string }, path: string): string {
  const rest = route.pathPrefix === '/' ? (path === '/' ? '' : path) : path.slice(route.pathPrefix.length);
  if (route.upstreamPrefix === '/') return rest === '' ? '/' : rest;
  return route.upstreamPrefix + rest;
}
