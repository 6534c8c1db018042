import type { RateLimitConfig } from '../policy/index.js';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Seconds until one request is allowed (0 when allowed). */
  readonly retryAfterSeconds: number;
}

/** Buckets of one gateway process (`strategy: local`, and `distributed` without a shared store). */
export interface BucketStore {
  take(key: string, limit: RateLimitConfig, now: number): RateDecision;
}

/**
 * Buckets every gateway process shares (`strategy: distributed`): one round trip per request.
 * Never rejects: a store that cannot answer decides with its local fallback.
 */
export interface SharedBucketStore {
  take(key: string, limit: RateLimitConfig): Promise<RateDecision>;
  close(): Promise<void>;
}

/**
 * A bucket counted in token-milliseconds: one token is `periodMs` units, the capacity is
 * `limit * periodMs`, and each millisecond adds `limit` units. Every step is whole-number
 * arithmetic, so a request arriving exactly when its token is due is never refused by a
 * rounding error.
 */
interface Bucket {
  units: number;
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
    const { periodMs } = limit;
    const capacity = limit.limit * periodMs;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { units: capacity, updated: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.units = Math.min(capacity, bucket.units + Math.max(0, now - bucket.updated) * limit.limit);
      bucket.updated = now;
    }
    const allowed = bucket.units >= periodMs;
    if (allowed) bucket.units -= periodMs;
    return rateDecision(limit, allowed, bucket.units);
  }

  /** Forgets buckets that have refilled completely: they would start full anyway. */
  sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      const [limit, periodMs] = bucketShape(key);
      if (bucket.units + Math.max(0, now - bucket.updated) * limit >= limit * periodMs) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/** The answer for a bucket holding `units` token-milliseconds after the take (the same for every store). */
export function rateDecision(limit: RateLimitConfig, allowed: boolean, units: number): RateDecision {
  const { periodMs } = limit;
  if (limit.limit === 0) {
    const wait = Math.ceil(periodMs / 1000);
    return { allowed: false, limit: 0, remaining: 0, resetSeconds: wait, retryAfterSeconds: wait };
  }
  return {
    allowed,
    limit: limit.limit,
    remaining: Math.floor(units / periodMs),
    resetSeconds: Math.ceil((limit.limit * periodMs - units) / limit.limit / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((periodMs - units) / limit.limit / 1000)),
  };
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
