import { Redis } from 'ioredis';
import type { RateLimitConfig } from '../policy/index.js';
import { MemoryBucketStore, rateDecision, type RateDecision, type SharedBucketStore } from './rate-limiter.js';

/**
 * The token bucket of MemoryBucketStore, run inside Redis so that every gateway process takes
 * from the same bucket. Whole token-milliseconds, as in memory; the clock is Redis's own (TIME),
 * so gateways whose clocks disagree still refill a bucket at one rate. Numbers are kept as
 * decimal strings: Lua's tostring would round those above 14 digits.
 * A bucket expires once it would be full again, like the memory store's sweep.
 */
const TAKE = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local capacity = limit * period
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'u', 't')
local units = capacity
if state[1] then
  units = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * limit)
end
local allowed = 0
if units >= period then
  units = units - period
  allowed = 1
end
redis.call('HSET', KEYS[1], 'u', string.format('%.0f', units), 't', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - units) / limit) + 1000)
return { allowed, string.format('%.0f', units) }
`;

const KEY_PREFIX = 'gitgate:rl:';

export interface RedisBucketOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  readonly url: string;
  /** A request waits this long for Redis before its local bucket decides. */
  readonly commandTimeoutMs?: number;
  /** Told when Redis stops answering (at most every 10 s) and when it answers again. */
  readonly onStateChange?: (state: { readonly reachable: boolean; readonly error?: string; readonly fallbacks: number }) => void;
}

type TakeCommand = (key: string, limit: number, periodMs: number) => Promise<[number, string]>;

/**
 * `strategy: distributed` buckets in Redis. When Redis cannot answer in time (down, slow, not
 * yet connected), the request is decided by this process's own bucket: limits stay enforced, per
 * process, rather than every request failing or passing unlimited. Requests never wait for a
 * reconnection: commands are not queued while the connection is down.
 */
export class RedisBucketStore implements SharedBucketStore {
  readonly #redis: Redis;
  readonly #take: TakeCommand;
  readonly #fallback = new MemoryBucketStore();
  readonly #onStateChange: RedisBucketOptions['onStateChange'];
  #reachable = true;
  #fallbacks = 0;
  #lastReport = 0;

  constructor(options: RedisBucketOptions) {
    this.#onStateChange = options.onStateChange;
    this.#redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 100,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      lazyConnect: false,
    });
    // Connection errors are reported through onStateChange, at a bounded rate.
    this.#redis.on('error', (error: Error) => this.#failed(error, false));
    this.#redis.defineCommand('gitgateTakeToken', { numberOfKeys: 1, lua: TAKE });
    const redis = this.#redis as unknown as { gitgateTakeToken: TakeCommand };
    this.#take = redis.gitgateTakeToken.bind(redis);
  }

  /** Resolves once connected, or after `timeoutMs` (requests fall back meanwhile). */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.#redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#redis.once('ready', onReady);
    });
  }

  async take(key: string, limit: RateLimitConfig): Promise<RateDecision> {
    // A zero limit refuses everything: no need to ask (and the script would divide by it).
    if (limit.limit === 0) return rateDecision(limit, false, 0);
    try {
      const [allowed, units] = await this.#take(KEY_PREFIX + key, limit.limit, limit.periodMs);
      if (!this.#reachable) {
        this.#reachable = true;
        this.#onStateChange?.({ reachable: true, fallbacks: this.#fallbacks });
        this.#fallbacks = 0;
      }
      return rateDecision(limit, allowed === 1, Number(units));
    } catch (error) {
      this.#failed(error as Error, true);
      return this.#fallback.take(key, limit, Date.now());
    }
  }

  #failed(error: Error, fellBack: boolean): void {
    if (fellBack) this.#fallbacks++;
    const now = Date.now();
    if (this.#reachable || now - this.#lastReport >= 10_000) {
      this.#reachable = false;
      this.#lastReport = now;
      // The message names the failure, never the URL (it may hold a password).
      this.#onStateChange?.({ reachable: false, error: error.message, fallbacks: this.#fallbacks });
    }
  }

  async close(): Promise<void> {
    this.#fallback.close();
    this.#redis.disconnect();
  }
}
