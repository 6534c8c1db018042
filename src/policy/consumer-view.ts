import type { ApiAccessConfig, OperationGrant, RateLimitConfig, RateLimitsConfig } from './runtime-config.js';

// What one consumer (a set of groups) gets, read from a compiled configuration. The gateway
// enforces with these functions and the portal shows with them, so both always agree.

/**
 * The limit that applies to a consumer on one API: among limits naming its groups, the most
 * favourable group's; only when none names its groups, the `anyGroups` limit.
 */
export function effectiveLimit(limits: RateLimitsConfig, groups: readonly string[]): RateLimitConfig | null {
  let best: RateLimitConfig | null = null;
  for (const group of groups) {
    // A group named like an Object.prototype member (`constructor`) must not read one.
    if (!Object.hasOwn(limits.groups, group)) continue;
    const limit = limits.groups[group];
    if (limit !== undefined && (best === null || limit.limit / limit.periodMs > best.limit / best.periodMs)) best = limit;
  }
  return best ?? limits.anyGroups;
}

/** The union of what a consumer's groups (and `anyGroups`) are granted on one API; null for nothing. */
export function grantFor(access: ApiAccessConfig | undefined, groups: readonly string[]): OperationGrant | null {
  if (access === undefined) return null;
  const grants: OperationGrant[] = [];
  for (const group of groups) if (Object.hasOwn(access.groups, group)) grants.push(access.groups[group]!);
  if (access.anyGroups !== null) grants.push(access.anyGroups);
  if (grants.includes('*')) return '*';
  const sets = [...new Set(grants.flatMap((g) => g as readonly string[]))].sort();
  return sets.length === 0 ? null : sets;
}
