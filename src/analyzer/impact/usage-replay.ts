import type { LimitView } from './types.js';

/** Requests of one consumer key on one API in one second (from the control plane's usage endpoint). */
export interface UsageSecond {
  /** Unix time in seconds. */
  readonly second: number;
  readonly requests: number;
}

/**
 * How many of these requests a token bucket of `limit` would have refused: the bucket starts
 * full, refills continuously at limit/period, and each second's requests take what is there.
 */
export function refusedBy(limit: LimitView, seconds: readonly UsageSecond[], periodMs: number): number {
  if (limit.limit === 0) return seconds.reduce((sum, s) => sum + s.requests, 0);
  const ratePerSecond = (limit.limit / periodMs) * 1000;
  let tokens = limit.limit;
  let last: number | undefined;
  let refused = 0;
  for (const { second, requests } of [...seconds].sort((a, b) => a.second - b.second)) {
    if (last !== undefined) tokens = Math.min(limit.limit, tokens + (second - last) * ratePerSecond);
    last = second;
    const served = Math.min(requests, Math.floor(tokens));
    tokens -= served;
    refused += requests - served;
  }
  return refused;
}
