import { periodToMs, rateOf } from './config-diff.js';
import type { ConsumerImpact, GatewayImpact, LimitView } from './types.js';
import { refusedBy, type UsageSecond } from './usage-replay.js';

/** What the control plane's `GET /api/v1/usage?seconds=1` returns (docs/impact.md). */
export interface UsageData {
  /** Requests per hour, API, operation set, consumer and key. */
  readonly hourly: readonly { readonly api: string; readonly operation: string; readonly email: string; readonly keyName: string; readonly requests: number }[];
  /** Requests per second, API, consumer and key (the recent window). */
  readonly seconds: readonly { readonly api: string; readonly email: string; readonly keyName: string; readonly second: number; readonly requests: number }[];
}

/**
 * The consumers (email, key) who called what the change affects, with their request counts. Usage
 * records which operation set granted a call but not through which group, so a revoked grant is
 * matched by API and operation set: a consumer listed may keep access through another group.
 */
export function affectedConsumers(gateways: readonly GatewayImpact[], usage: UsageData): ConsumerImpact[] {
  const reasons = new Map<string, Set<string>>(); // `${api}\0${operation or *}` → reasons
  const add = (api: string, operation: string, reason: string) => {
    const key = `${api}\0${operation}`;
    const set = reasons.get(key) ?? new Set();
    set.add(reason);
    reasons.set(key, set);
  };
  const lowered = new Map<string, LimitView>(); // api → most restrictive new limit among decreases
  for (const g of gateways) {
    for (const r of g.access.revoked) for (const op of r.operations) add(r.api, op, r.group === '*' ? 'access revoked for any consumer' : `access revoked for group ${r.group}`);
    for (const r of g.routes.removed) add(r.api, '*', `route ${r.pathPrefix} removed`);
    for (const r of g.routes.changed) add(r.before.api, '*', `route ${r.pathPrefix} now served by ${r.after.api}`);
    for (const api of g.apis.removed) add(api, '*', 'API removed');
    for (const change of g.rateLimits) {
      if (change.after === null || rateOf(change.after) >= rateOf(change.before)) continue;
      add(change.api, '*', change.group === '*' ? 'rate limit decreased for any consumer' : `rate limit decreased for group ${change.group}`);
      const known = lowered.get(change.api);
      if (known === undefined || rateOf(change.after) < rateOf(known)) lowered.set(change.api, change.after);
    }
  }
  const out = new Map<string, { email: string; keyName: string; api: string; requests: number; reasons: Set<string> }>();
  for (const row of usage.hourly) {
    const matched = [...(reasons.get(`${row.api}\0${row.operation}`) ?? []), ...(reasons.get(`${row.api}\0*`) ?? [])];
    if (matched.length === 0) continue;
    const key = `${row.email}\0${row.keyName}\0${row.api}`;
    const entry = out.get(key) ?? { email: row.email, keyName: row.keyName, api: row.api, requests: 0, reasons: new Set<string>() };
    entry.requests += row.requests;
    for (const reason of matched) entry.reasons.add(reason);
    out.set(key, entry);
  }
  return [...out.values()]
    .map((entry) => {
      const limit = lowered.get(entry.api);
      const base: ConsumerImpact = { email: entry.email, keyName: entry.keyName, api: entry.api, requests: entry.requests, reasons: [...entry.reasons].sort() };
      if (limit === undefined) return base;
      const seconds: UsageSecond[] = usage.seconds.filter((s) => s.api === entry.api && s.email === entry.email && s.keyName === entry.keyName);
      return { ...base, refusedByNewLimit: refusedBy(limit, seconds, periodToMs(limit.period)) };
    })
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.keyName < b.keyName ? -1 : a.keyName > b.keyName ? 1 : a.api < b.api ? -1 : a.api > b.api ? 1 : 0));
}
