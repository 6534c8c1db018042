import { describe, expect, it } from 'vitest';
import type { LimitView } from './types.js';
import { refusedBy, type UsageSecond } from './usage-replay.js';

// refusedBy replays a consumer's per-second counts through a token bucket shaped like the
// gateway's (shared/spec/resources.md, APIRateLimit): capacity `limit`, starts full, refilled
// continuously at limit/period. The requests of one second are taken at the start of it.

const T0 = 1_700_000_000; // Unix seconds

function limit(value: number, period: string): LimitView {
  return { name: 'new-limit', limit: value, period };
}

const at = (offset: number, requests: number): UsageSecond => ({ second: T0 + offset, requests });

describe('refusedBy', () => {
  it.each<[string, LimitView, number, UsageSecond[], number]>([
    ['no traffic refuses nothing', limit(5, '1m'), 60_000, [], 0],
    ['the bucket starts full: up to `limit` at once pass', limit(5, '1m'), 60_000, [at(0, 5)], 0],
    ['a burst above the capacity: the rest is refused', limit(5, '1m'), 60_000, [at(0, 8)], 3],
    ['refused requests take no token: the next second only gets the refill', limit(5, '5s'), 5_000, [at(0, 9), at(1, 3)], 4 + 2],
    ['refill is continuous: 2 per 10 s gives one token 5 s later, not 6 s later', limit(2, '10s'), 10_000, [at(0, 2), at(5, 1), at(6, 1)], 1],
    ['a long pause refills to the capacity and no further', limit(3, '3s'), 3_000, [at(0, 3), at(3600, 5)], 2],
    ['a limit of 0 refuses everything', limit(0, '1m'), 60_000, [at(0, 2), at(90, 3)], 5],
    ['steady traffic at the limit passes', limit(1, '1s'), 1_000, Array.from({ length: 60 }, (_, i) => at(i, 1)), 0],
    ['steady traffic at twice the limit: half refused after the first burst', limit(2, '2s'), 2_000, Array.from({ length: 10 }, (_, i) => at(i, 2)), 9],
  ])('%s', (_name, l, periodMs, seconds, refused) => {
    expect(refusedBy(l, seconds, periodMs)).toBe(refused);
  });

  it('sorts the seconds itself and leaves its input alone', () => {
    const seconds = [at(5, 1), at(0, 2), at(6, 1)];
    const copy = structuredClone(seconds);
    expect(refusedBy(limit(2, '10s'), seconds, 10_000)).toBe(1);
    expect(seconds).toEqual(copy);
  });

  it('two rows for one second count as one second (rows flushed in two batches)', () => {
    expect(refusedBy(limit(5, '1m'), [at(0, 3), at(0, 4)], 60_000)).toBe(2);
  });

  it('never refuses a request sent exactly when a token is due (no floating-point shortfall)', () => {
    // The gateway counts in whole token-milliseconds (src/gateway/rate-limiter.ts) and serves a
    // request that arrives exactly one refill interval after the bucket ran dry; the replay must
    // agree, whether the gap is seen in one step or second by second (a client retrying).
    const cases: [number, number][] = [
      [1, 3_600_000],
      [2, 3_600_000],
      [6, 3_600_000],
      [9, 3_600_000],
      [10, 3_600_000],
      [12, 3_600_000],
      [36, 3_600_000],
      [3, 3_000],
      [7, 7_000],
      [60, 60_000],
      [24, 86_400_000],
    ];
    const wrong: string[] = [];
    for (const [value, periodMs] of cases) {
      const due = periodMs / value / 1000; // whole seconds for every case above
      const l = limit(value, `${periodMs}ms`);
      const jump = refusedBy(l, [at(0, value), at(due, 1)], periodMs);
      const steps = refusedBy(l, [at(0, value), ...Array.from({ length: due }, (_, i) => at(i + 1, i + 1 === due ? 1 : 0))], periodMs);
      if (jump !== 0 || steps !== 0) wrong.push(`${value}/${periodMs}ms: ${jump} refused in one step, ${steps} second by second`);
    }
    expect(wrong).toEqual([]);
  });
});
