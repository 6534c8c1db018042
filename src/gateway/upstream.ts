import { Pool } from 'undici';
import { Http1Pool } from './http1-client.js';

export interface UpstreamOptions {
  /** Connections per backend origin. */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

export const DEFAULT_UPSTREAM_OPTIONS: UpstreamOptions = {
  connections: 128,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
};

/**
 * One backend address and the path its URL may carry (`http://h/base`). Its pool is created on
 * first use: an idle undici Pool costs ~19 KB, so 13,000 backends nobody calls would cost 250 MB.
 */
export class Endpoint {
  readonly origin: string;
  /** Prepended to the upstream path; '' when the URL has no path. */
  readonly basePath: string;
  readonly #pools: UpstreamPools;
  #pool: Pool | undefined;
  #lean: Http1Pool | undefined;

  constructor(pools: UpstreamPools, origin: string, basePath: string) {
    this.#pools = pools;
    this.origin = origin;
    this.basePath = basePath;
  }

  /** For requests with a body (undici streams them). */
  get pool(): Pool {
    this.#pool ??= this.#pools.poolFor(this.origin);
    return this.#pool;
  }

  /** For requests without a body: the gateway's own client (http1-client.ts). */
  get lean(): Http1Pool {
    this.#lean ??= this.#pools.leanPoolFor(this.origin);
    return this.#lean;
  }
}

/** The addresses of one target, balanced round robin. */
export class Upstream {
  readonly endpoints: readonly Endpoint[];
  #next = 0;

  constructor(endpoints: readonly Endpoint[]) {
    this.endpoints = endpoints;
  }

  pick(): Endpoint {
    const endpoint = this.endpoints[this.#next]!;
    this.#next = (this.#next + 1) % this.endpoints.length;
    return endpoint;
  }
}

/**
 * Connection pools by origin, kept across configuration swaps so a new config reuses warm
 * connections. Pools no configuration uses any more are closed gracefully (in-flight requests
 * finish first).
 */
export class UpstreamPools {
  readonly options: UpstreamOptions;
  readonly #pools = new Map<string, Pool>();
  readonly #leanPools = new Map<string, Http1Pool>();
  #used = new Set<string>();

  constructor(options: Partial<UpstreamOptions> = {}) {
    this.options = { ...DEFAULT_UPSTREAM_OPTIONS, ...options };
  }

  upstream(urls: readonly string[]): Upstream {
    return new Upstream(
      urls.map((url) => {
        const parsed = new URL(url);
        this.#used.add(parsed.origin);
        return new Endpoint(this, parsed.origin, parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/+$/, ''));
      }),
    );
  }

  /** The pool of an origin, created on first use and shared by every endpoint of that origin. */
  poolFor(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        connect: { timeout: this.options.connectTimeoutMs },
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** The same for the gateway's own client. */
  leanPoolFor(origin: string): Http1Pool {
    let pool = this.#leanPools.get(origin);
    if (pool === undefined) {
      pool = new Http1Pool(origin, {
        connections: this.options.connections,
        connectTimeoutMs: this.options.connectTimeoutMs,
        headersTimeoutMs: this.options.headersTimeoutMs,
        bodyTimeoutMs: this.options.bodyTimeoutMs,
      });
      this.#leanPools.set(origin, pool);
    }
    return pool;
  }

  /** Starts tracking which origins the next configuration uses. */
  beginConfig(): void {
    this.#used = new Set();
  }

  /** Closes the pools the last configuration built does not use. */
  releaseUnused(): void {
    for (const pools of [this.#pools, this.#leanPools]) {
      for (const [origin, pool] of pools) {
        if (!this.#used.has(origin)) {
          pools.delete(origin);
          void pool.close().catch(() => undefined);
        }
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values(), ...this.#leanPools.values()].map((pool) => pool.destroy().catch(() => undefined)));
    this.#pools.clear();
    this.#leanPools.clear();
  }
}
