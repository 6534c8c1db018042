import type { LimitView } from './types.js';
export interface UsageSecond { readonly second: number; readonly requests: number; }
/** Counted in token-milliseconds like the gateway (src/gateway/rate-limiter.ts): whole numbers, no float drift. */
export function refusedBy(limit: LimitView, seconds: readonly UsageSecond[], periodMs: number): number {
  if (limit.limit === 0) return seconds.reduce((sum, s) => sum + s.requests, 0);
  const capacity = limit.limit * periodMs;
  let units = capacity;
  let last: number | undefined;
  let refused = 0;
  for (const { second, requests } of [...seconds].sort((a, b) => a.second - b.second)) {
    if (last !== undefined) units = Math.min(capacity, units + (second - last) * 1000 * limit.limit);
    last = second;
    const served = Math.min(requests, Math.floor(units / periodMs));
    units -= served * periodMs;
    refused += requests - served;
  }
  return refused;
}
