import type { RateLimitConfig, RateLimitsConfig } from '../policy/index.js';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Seconds until one request is allowed (0 when allowed). */
  readonly retryAfterSeconds: number;
}

/** Where buckets live: memory (per gateway process) or, for `strategy: distributed`, a shared store. */
export interface BucketStore {
  take(key: string, limit: RateLimitConfig, now: number): RateDecision;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Token buckets in memory: capacity `limit`, refilled continuously at `limit / period`
 * (shared/spec/resources.md). Full buckets are dropped periodically, so memory follows the
 * number of recently active consumers, not of all consumers.
 */
export class MemoryBucketStore implements BucketStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #timer: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.#timer = setInterval(() => this.sweep(Date.now()), sweepIntervalMs);
    this.#timer.unref();
  }

  take(key: string, limit: RateLimitConfig, now: number): RateDecision {
    const rate = limit.limit / limit.periodMs; // tokens per millisecond
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limit.limit, updated: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.limit, bucket.tokens + (now - bucket.updated) * rate);
      bucket.updated = now;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const missing = limit.limit - bucket.tokens;
    return {
      allowed,
      limit: limit.limit,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: rate === 0 ? Math.ceil(limit.periodMs / 1000) : Math.ceil(missing / rate / 1000),
      retryAfterSeconds: allowed ? 0 : rate === 0 ? Math.ceil(limit.periodMs / 1000) : Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)),
    };
  }

  /** Forgets buckets that have refilled completely: they would start full anyway. */
  sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      const [limit, periodMs] = bucketShape(key);
      if (bucket.tokens + ((now - bucket.updated) * limit) / periodMs >= limit) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/** Bucket keys end with `limit/periodMs`, so the sweep knows each bucket's shape. */
export function bucketKey(consumer: string, api: string, limit: RateLimitConfig): string {
  return `${consumer}\0${api}\0${limit.limit}/${limit.periodMs}`;
}

function bucketShape(key: string): [number, number] {
  const shape = key.slice(key.lastIndexOf('\0') + 1);
  const slash = shape.indexOf('/');
  return [Number(shape.slice(0, slash)), Number(shape.slice(slash + 1))];
}

/**
 * The limit that applies to a consumer on one API: among limits naming its groups, the most
 * favourable group's; only when none names its groups, the `anyGroups` limit.
 */
export function effectiveLimit(limits: RateLimitsConfig, groups: readonly string[]): RateLimitConfig | null {
  let best: RateLimitConfig | null = null;
  for (const group of groups) {
    const limit = limits.groups[group];
    if (limit !== undefined && (best === null || limit.limit / limit.periodMs > best.limit / best.periodMs)) best = limit;
  }
  return best ?? limits.anyGroups;
}
