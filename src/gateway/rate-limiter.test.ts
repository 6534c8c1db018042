import { afterEach, describe, expect, it } from 'vitest';
import { effectiveLimit, type RateLimitConfig, type RateLimitsConfig } from '../policy/index.js';
import { bucketKey, MemoryBucketStore } from './rate-limiter.js';

// shared/spec/resources.md, APIRateLimit: capacity `limit`, refilled continuously at
// `limit / period`; a bucket per (consumer, API).

function limit(value: number, periodMs: number, name = `l-${value}-${periodMs}`): RateLimitConfig {
  return { name, limit: value, periodMs, period: `${periodMs}ms`, strategy: 'local' };
}

const stores: MemoryBucketStore[] = [];
function buckets(): MemoryBucketStore {
  const store = new MemoryBucketStore(60_000);
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

const T0 = 1_700_000_000_000;

describe('MemoryBucketStore.take', () => {
  it('starts full: `limit` requests pass at once, the next is refused', () => {
    const store = buckets();
    const l = limit(3, 6000);
    const key = bucketKey('ada@example.com', 'apps/api', l);
    expect([1, 2, 3, 4].map(() => store.take(key, l, T0).allowed)).toEqual([true, true, true, false]);
  });

  it('answers remaining, reset and retry-after from the refill rate', () => {
    // 2 per 5s: one token every 2.5s.
    const store = buckets();
    const l = limit(2, 5000);
    const key = bucketKey('ada', 'api', l);
    expect(store.take(key, l, T0)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 3, retryAfterSeconds: 0 });
    expect(store.take(key, l, T0)).toEqual({ allowed: true, limit: 2, remaining: 0, resetSeconds: 5, retryAfterSeconds: 0 });
    expect(store.take(key, l, T0)).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 5, retryAfterSeconds: 3 });
    // 1s later: 0.4 token, still refused, one token in 1.5s.
    expect(store.take(key, l, T0 + 1000)).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 4, retryAfterSeconds: 2 });
  });

  it('refills continuously: one token every period / limit, never above the limit', () => {
    const store = buckets();
    const l = limit(4, 1000); // one token every 250 ms
    const key = bucketKey('ada', 'api', l);
    for (let i = 0; i < 4; i++) expect(store.take(key, l, T0).allowed).toBe(true);
    expect(store.take(key, l, T0 + 249).allowed).toBe(false);
    expect(store.take(key, l, T0 + 250).allowed).toBe(true);
    expect(store.take(key, l, T0 + 250).allowed).toBe(false);
    // A long pause fills the bucket to its capacity, not beyond.
    const later = T0 + 3_600_000;
    expect([1, 2, 3, 4, 5].map(() => store.take(key, l, later).allowed)).toEqual([true, true, true, true, false]);
  });

  it('never refuses a request sent exactly when a token is due (no floating-point shortfall)', () => {
    // 1 per hour: after one request, the next is allowed exactly one period later.
    const store = buckets();
    const hourly = limit(1, 3_600_000);
    const key = bucketKey('ada', 'api', hourly);
    expect(store.take(key, hourly, T0).allowed).toBe(true);
    expect(store.take(key, hourly, T0 + 3_600_000 - 1).allowed).toBe(false);
    expect(store.take(key, hourly, T0 + 3_600_000).allowed).toBe(true);

    // The same with many limits, and with the refill observed in many small steps (a consumer
    // retrying every second): the token must be there at the due time, not a step later.
    for (const [value, periodMs] of [[2, 3_600_000], [8, 3_600_000], [3, 3000], [7, 7000], [60, 60_000], [10, 3_600_000]] as const) {
      const l = limit(value, periodMs);
      const k = bucketKey('bob', `api-${value}-${periodMs}`, l);
      for (let i = 0; i < value; i++) store.take(k, l, T0);
      const due = periodMs / value;
      for (let t = 1000; t < due; t += 1000) expect(store.take(k, l, T0 + t).allowed, `${value}/${periodMs}ms at +${t}ms`).toBe(false);
      expect(store.take(k, l, T0 + due).allowed, `${value}/${periodMs}ms at +${due}ms`).toBe(true);
    }
  });

  it('keeps one bucket per key: consumers and APIs do not share', () => {
    const store = buckets();
    const l = limit(1, 60_000);
    expect(store.take(bucketKey('ada', 'api-a', l), l, T0).allowed).toBe(true);
    expect(store.take(bucketKey('ada', 'api-a', l), l, T0).allowed).toBe(false);
    expect(store.take(bucketKey('ada', 'api-b', l), l, T0).allowed).toBe(true);
    expect(store.take(bucketKey('bob', 'api-a', l), l, T0).allowed).toBe(true);
  });

  it('starts a new bucket when the limit changes (a new configuration)', () => {
    const store = buckets();
    const before = limit(1, 60_000);
    const after = limit(5, 60_000);
    expect(store.take(bucketKey('ada', 'api', before), before, T0).allowed).toBe(true);
    expect(store.take(bucketKey('ada', 'api', before), before, T0).allowed).toBe(false);
    expect(store.take(bucketKey('ada', 'api', after), after, T0)).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('always refuses with limit 0, with a retry-after of one period', () => {
    const store = buckets();
    const zero = limit(0, 10_000);
    const key = bucketKey('ada', 'api', zero);
    for (const t of [0, 10_000, 3_600_000]) {
      expect(store.take(key, zero, T0 + t)).toEqual({ allowed: false, limit: 0, remaining: 0, resetSeconds: 10, retryAfterSeconds: 10 });
    }
  });

  it('never answers a retry-after below one second when refused', () => {
    const store = buckets();
    const l = limit(1000, 1000); // a token every millisecond
    const key = bucketKey('ada', 'api', l);
    for (let i = 0; i < 1000; i++) store.take(key, l, T0);
    const refused = store.take(key, l, T0);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
  });
});

describe('MemoryBucketStore.sweep', () => {
  it('drops buckets that are full again and keeps the others', () => {
    const store = buckets();
    const l = limit(2, 10_000); // a token every 5s
    store.take(bucketKey('ada', 'api', l), l, T0); // 1 token left: full again after 5s
    store.take(bucketKey('bob', 'api', l), l, T0);
    store.take(bucketKey('bob', 'api', l), l, T0); // empty: full again after 10s
    const zero = limit(0, 1000);
    store.take(bucketKey('eve', 'api', zero), zero, T0); // limit 0: always "full"
    expect(store.size).toBe(3);
    store.sweep(T0 + 4_999);
    expect(store.size).toBe(2);
    store.sweep(T0 + 5_000);
    expect(store.size).toBe(1);
    store.sweep(T0 + 9_999);
    expect(store.size).toBe(1);
    store.sweep(T0 + 10_000);
    expect(store.size).toBe(0);
  });

  it('changes no answer: a swept bucket comes back full, as it would have been', () => {
    const store = buckets();
    const l = limit(2, 10_000);
    const key = bucketKey('ada', 'api', l);
    store.take(key, l, T0);
    store.take(key, l, T0);
    store.sweep(T0 + 10_000);
    expect(store.size).toBe(0);
    expect(store.take(key, l, T0 + 10_000)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('reads each bucket\'s shape from its key, whatever the consumer or API name holds', () => {
    const store = buckets();
    const l = limit(2, 10_000);
    const key = bucketKey('odd/name 5/1000@example.com', 'ns/api-1/2', l);
    store.take(key, l, T0);
    store.take(key, l, T0);
    store.sweep(T0 + 9_999);
    expect(store.size).toBe(1);
  });
});

describe('effectiveLimit (APIRateLimit precedence)', () => {
  const slow = limit(1, 60_000, 'slow');
  const medium = limit(10, 60_000, 'medium');
  const fast = limit(100, 60_000, 'fast');
  const anyone = limit(1000, 60_000, 'anyone');

  const table: readonly (readonly [string, RateLimitsConfig, readonly string[], RateLimitConfig | null])[] = [
    ['no limit at all', { groups: {}, anyGroups: null }, ['crm'], null],
    ['only anyGroups', { groups: {}, anyGroups: anyone }, ['crm'], anyone],
    ['anyGroups for a consumer with no group', { groups: { crm: slow }, anyGroups: anyone }, [], anyone],
    ['a group limit wins over anyGroups, even a stricter one', { groups: { crm: slow }, anyGroups: anyone }, ['crm'], slow],
    ['a group limit wins over a stricter anyGroups', { groups: { crm: fast }, anyGroups: slow }, ['crm'], fast],
    ['anyGroups when no group limit names the consumer\'s groups', { groups: { admins: fast }, anyGroups: slow }, ['crm'], slow],
    ['no limit when only other groups are limited', { groups: { admins: slow }, anyGroups: null }, ['crm'], null],
    ['across groups, the most favourable', { groups: { crm: slow, admins: fast, ops: medium }, anyGroups: null }, ['crm', 'ops', 'admins'], fast],
    ['across groups, whatever their order', { groups: { crm: slow, admins: fast }, anyGroups: anyone }, ['admins', 'crm'], fast],
    ['favourable compares rates, not bucket sizes', { groups: { a: limit(50, 1000, 'a'), b: limit(60, 60_000, 'b') }, anyGroups: null }, ['b', 'a'], limit(50, 1000, 'a')],
    ['a group limited to 0 still takes precedence over anyGroups', { groups: { crm: limit(0, 1000, 'zero') }, anyGroups: anyone }, ['crm'], limit(0, 1000, 'zero')],
  ];

  it.each(table)('%s', (_name, limits, groups, expected) => {
    expect(effectiveLimit(limits, groups)).toEqual(expected);
  });

  // Group names are the consumer's own strings: one that is also an Object.prototype property
  // must not be read as a limit (a limit `{limit: undefined}` would refuse every request).
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])('does not mistake the group %j for a limit', (group) => {
    expect(effectiveLimit({ groups: {}, anyGroups: anyone }, [group])).toBe(anyone);
    expect(effectiveLimit({ groups: {}, anyGroups: null }, [group])).toBeNull();
    // Nor after the config travelled as JSON, as it does to remote gateways.
    const travelled = JSON.parse(JSON.stringify({ groups: { crm: slow }, anyGroups: anyone })) as RateLimitsConfig;
    expect(effectiveLimit(travelled, [group])).toEqual(anyone);
  });
});
