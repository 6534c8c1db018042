import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisBucketStore } from '../../src/gateway/index.js';
import type { RateLimitConfig } from '../../src/policy/index.js';
import {
  cleanup,
  createConsumers,
  defer,
  refusedPort,
  runCli,
  send,
  startCliGateway,
  startEchoUpstream,
  tempDir,
  writeResources,
  yaml,
  type Answer,
  type CliGateway,
  type ConsumerKey,
  type Upstream,
} from '../helpers/gateway-fixtures.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

// `strategy: distributed` rate limits in a real redis-server: one bucket for every gateway
// process (`gitgate serve --workers 2 --redis-url`), the same arithmetic as the memory buckets,
// and a Redis that stops answering costs limits their sharing, never a request.

const PASSWORD = 'redis-test-secret-5d1c';
let redis: RedisServer;

function limitOf(limit: number, periodMs: number): RateLimitConfig {
  return { name: 'test', limit, periodMs, period: `${periodMs}ms`, strategy: 'distributed' };
}

function store(url = redis.url, onStateChange?: ConstructorParameters<typeof RedisBucketStore>[0]['onStateChange']): RedisBucketStore {
  const buckets = new RedisBucketStore({ url, ...(onStateChange === undefined ? {} : { onStateChange }) });
  defer(() => buckets.close());
  return buckets;
}

beforeAll(async () => {
  redis = await startRedis(PASSWORD);
});

afterAll(cleanup);

describe('RedisBucketStore', () => {
  it('counts a bucket as the memory store does: capacity, remaining, then 429 with Retry-After', async () => {
    const buckets = store();
    expect(await buckets.ready()).toBe(true);
    const limit = limitOf(3, 1000);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await buckets.take('c1\0api-a', limit));
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions[3]).toMatchObject({ limit: 3, retryAfterSeconds: 1, resetSeconds: 1 });
  });

  it('two clients (two gateway processes) take from one bucket', async () => {
    const [a, b] = [store(), store()];
    await Promise.all([a.ready(), b.ready()]);
    const limit = limitOf(4, 60_000);
    const answers = await Promise.all([a, b, a, b, a, b].map((buckets) => buckets.take('c2\0api-a', limit)));
    expect(answers.filter((d) => d.allowed)).toHaveLength(4);
  });

  it('refills continuously at limit / period, on the clock of Redis', async () => {
    const buckets = store();
    await buckets.ready();
    const limit = limitOf(10, 1000); // one token every 100 ms
    for (let i = 0; i < 10; i++) expect((await buckets.take('c3\0api-a', limit)).allowed).toBe(true);
    expect((await buckets.take('c3\0api-a', limit)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const refilled = [await buckets.take('c3\0api-a', limit), await buckets.take('c3\0api-a', limit), await buckets.take('c3\0api-a', limit)];
    expect(refilled.map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('keeps large limits exact (no rounding of the stored numbers) and lets full buckets expire', async () => {
    const buckets = store();
    await buckets.ready();
    const day = 24 * 3600 * 1000;
    const client = new Redis(redis.url);
    defer(() => client.disconnect());
    const key = 'gitgate:rl:c4\0api-a';
    const first = await buckets.take('c4\0api-a', limitOf(1_000_000_000, day));
    const firstMs = await client.hget(key, 't');
    const second = await buckets.take('c4\0api-a', limitOf(1_000_000_000, day));
    const secondMs = await client.hget(key, 't');
    // At 1e9 per day a millisecond refills ~11.6 tokens: the second take finds the bucket one
    // token short only when Redis's clock read the same millisecond for both, else full again.
    expect([first.remaining, second.remaining]).toEqual([999_999_999, firstMs === secondMs ? 999_999_998 : 999_999_999]);
    // Full again within a millisecond or so, plus a second of margin.
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1200);
  });

  it('a zero limit refuses without asking Redis', async () => {
    const buckets = store('redis://127.0.0.1:1');
    const decision = await buckets.take('c5\0api-a', limitOf(0, 60_000));
    expect(decision).toMatchObject({ allowed: false, limit: 0, retryAfterSeconds: 60 });
  });

  it('when Redis stops answering, requests are decided by the local bucket, and sharing resumes when it is back', async () => {
    const events: { reachable: boolean; error?: string }[] = [];
    const buckets = store(redis.url, (state) => events.push(state));
    await buckets.ready();
    const limit = limitOf(2, 60_000);
    expect((await buckets.take('c6\0api-a', limit)).allowed).toBe(true);
    await redis.stop();
    // Local fallback: a fresh bucket of 2, then refused; answers come at once, not after a hang.
    const started = Date.now();
    const local = [await buckets.take('c6\0api-a', limit), await buckets.take('c6\0api-a', limit), await buckets.take('c6\0api-a', limit)];
    expect(Date.now() - started).toBeLessThan(1000);
    expect(local.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(events.some((e) => !e.reachable)).toBe(true);
    // The password is never part of what is reported.
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    await redis.start();
    expect(await buckets.ready(5000)).toBe(true);
    // Redis restarted empty: a new shared bucket of 2.
    const shared = await buckets.take('c6\0api-a', limit);
    expect(shared).toMatchObject({ allowed: true, remaining: 1 });
    expect(events.at(-1)?.reachable).toBe(true);
  }, 20_000);
});

describe('gitgate serve --workers 2 --redis-url', () => {
  let up: Upstream;
  let who: Record<'reader', ConsumerKey>;
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    up = await startEchoUpstream('redis');
    dir = await tempDir('redis-res');
    dataDir = await tempDir('redis-data');
    await writeResources(dir, [
      ...yaml.backend('app', [up.port]),
      yaml.api({ name: 'shared', pathPrefix: '/shared', service: 'app' }),
      yaml.access({ name: 'everyone', apis: ['shared'] }),
      yaml.gateway('main', ['everyone']),
      yaml.rateLimit({ name: 'shared-limit', limit: 6, period: '1m', apis: ['shared'], strategy: 'distributed' }),
    ]);
    who = await createConsumers(dataDir, { reader: ['reader'] });
  });

  /** Twelve requests, each on its own connection: the cluster hands connections to the workers in turn. */
  async function twelve(gateway: CliGateway): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i++) answers.push(await send(gateway.gateway, { path: '/shared/x', key: who.reader.key, agent: false }));
    return answers;
  }

  it('one bucket for both workers: 6 of 12 requests pass a limit of 6 per minute', async () => {
    const port = await refusedPort();
    const gateway = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--workers', '2', '--listen', `127.0.0.1:${port}`, '--no-portal'], { GITGATE_REDIS_URL: redis.url });
    const answers = await twelve(gateway);
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(6).fill(200), ...Array(6).fill(429)]);
    expect(answers.filter((a) => a.status === 429).every((a) => a.headers['retry-after'] !== undefined)).toBe(true);
    expect(gateway.stderr()).not.toContain(PASSWORD);
    await gateway.stop();
  }, 40_000);

  it('without --redis-url each worker counts alone, and serve says so', async () => {
    const port = await refusedPort();
    const gateway = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--workers', '2', '--listen', `127.0.0.1:${port}`, '--no-portal']);
    const answers = await twelve(gateway);
    // Round robin over two workers: each has its own bucket of 6.
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(6);
    expect(gateway.stderr()).toMatch(/strategy distributed are counted by each of the 2 workers on its own: give --redis-url/);
    expect(gateway.stderr()).toContain('shared-limit');
    await gateway.stop();
  }, 40_000);

  it('a --redis-url that is not a Redis URL is a usage error that does not echo it', async () => {
    const run = await runCli(['serve', '--dir', dir, '--data-dir', dataDir, '--redis-url', `http://user:${PASSWORD}@127.0.0.1:1`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--redis-url: write redis://');
    expect(run.stderr).not.toContain(PASSWORD);
  });
});
