import { Pool } from 'undici';

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

/** One backend address: its connection pool and the path its URL may carry (`http://h/base`). */
export interface Endpoint {
  readonly origin: string;
  readonly pool: Pool;
  /** Prepended to the upstream path; '' when the URL has no path. */
  readonly basePath: string;
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
  #used = new Set<string>();

  constructor(options: Partial<UpstreamOptions> = {}) {
    this.options = { ...DEFAULT_UPSTREAM_OPTIONS, ...options };
  }

  upstream(urls: readonly string[]): Upstream {
    return new Upstream(
      urls.map((url) => {
        const parsed = new URL(url);
        const origin = parsed.origin;
        this.#used.add(origin);
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
        return { origin, pool, basePath: parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/+$/, '') };
      }),
    );
  }

  /** Starts tracking which origins the next configuration uses. */
  beginConfig(): void {
    this.#used = new Set();
  }

  /** Closes the pools the last configuration built does not use. */
  releaseUnused(): void {
    for (const [origin, pool] of this.#pools) {
      if (!this.#used.has(origin)) {
        this.#pools.delete(origin);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy().catch(() => undefined)));
    this.#pools.clear();
  }
}
