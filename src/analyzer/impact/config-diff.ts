import { formatDuration, parseDuration } from '../../model/index.js';
import type { ApiConfig, GatewayConfig, OperationGrant, RateLimitConfig, RouteConfig, RuntimeConfig } from '../../policy/index.js';
import type { AccessChange, ApiChanged, GatewayImpact, LimitView, RateLimitChange, RouteChanged, RouteView } from './types.js';

/** The difference of two compiled configurations, per APIGateway (by name), sorted. */
export function diffConfigs(base: RuntimeConfig, head: RuntimeConfig): GatewayImpact[] {
  const names = [...new Set([...base.gateways.map((g) => g.name), ...head.gateways.map((g) => g.name)])].sort();
  const out: GatewayImpact[] = [];
  for (const name of names) {
    const before = base.gateways.find((g) => g.name === name);
    const after = head.gateways.find((g) => g.name === name);
    const impact = diffGateway(name, before, after, base, head);
    if (!isEmpty(impact)) out.push(impact);
  }
  return out;
}

function isEmpty(g: GatewayImpact): boolean {
  return (
    g.routes.added.length + g.routes.removed.length + g.routes.changed.length + g.access.granted.length + g.access.revoked.length + g.rateLimits.length + g.apis.added.length + g.apis.removed.length + g.apis.changed.length ===
    0
  );
}

function diffGateway(name: string, before: GatewayConfig | undefined, after: GatewayConfig | undefined, base: RuntimeConfig, head: RuntimeConfig): GatewayImpact {
  return {
    name,
    routes: diffRoutes(before, after),
    access: diffAccess(before, after),
    rateLimits: diffRateLimits(before, after, base, head),
    apis: diffApis(before, after, base, head),
  };
}

// Routes -----------------------------------------------------------------------------------

function conditionsOf(route: RouteConfig): string[] {
  return [...route.headers.map(([n, v]) => `header ${n}=${v}`), ...route.query.map(([n, v]) => `query ${n}=${v}`)];
}

function routeViews(gateway: GatewayConfig | undefined): Map<string, RouteView> {
  const out = new Map<string, RouteView>();
  if (gateway === undefined) return out;
  const hosts = gateway.hosts.length === 0 ? ['*'] : [...gateway.hosts];
  for (const route of gateway.routes) {
    const conditions = conditionsOf(route);
    const key = `${hosts.join(',')}\0${route.pathPrefix}\0${conditions.join('\0')}\0${route.fallback ? 'fallback' : ''}`;
    if (!out.has(key)) out.set(key, { hosts, pathPrefix: route.pathPrefix, conditions, api: route.api, version: route.version });
  }
  return out;
}

function diffRoutes(before: GatewayConfig | undefined, after: GatewayConfig | undefined): GatewayImpact['routes'] {
  const a = routeViews(before);
  const b = routeViews(after);
  const added: RouteView[] = [];
  const removed: RouteView[] = [];
  const changed: RouteChanged[] = [];
  for (const [key, route] of b) {
    const old = a.get(key);
    if (old === undefined) added.push(route);
    else if (old.api !== route.api || old.version !== route.version) {
      changed.push({ hosts: route.hosts, pathPrefix: route.pathPrefix, conditions: route.conditions, before: { api: old.api, version: old.version }, after: { api: route.api, version: route.version } });
    }
  }
  for (const [key, route] of a) if (!b.has(key)) removed.push(route);
  const byRoute = (x: { hosts: readonly string[]; pathPrefix: string; conditions: readonly string[] }, y: typeof x) =>
    compare(x.pathPrefix, y.pathPrefix) || compare(x.conditions.join(','), y.conditions.join(',')) || compare(x.hosts.join(','), y.hosts.join(','));
  return { added: added.sort(byRoute), removed: removed.sort(byRoute), changed: changed.sort(byRoute) };
}

// Access -----------------------------------------------------------------------------------

/** Per `group\0api`, the operation sets granted (`*` for all). anyGroups is group `*`. */
function grants(gateway: GatewayConfig | undefined): Map<string, OperationGrant> {
  const out = new Map<string, OperationGrant>();
  for (const [api, access] of Object.entries(gateway?.access ?? {})) {
    for (const [group, grant] of Object.entries(access.groups)) out.set(`${group}\0${api}`, grant);
    if (access.anyGroups !== null) out.set(`*\0${api}`, access.anyGroups);
  }
  return out;
}

function diffAccess(before: GatewayConfig | undefined, after: GatewayConfig | undefined): GatewayImpact['access'] {
  const a = grants(before);
  const b = grants(after);
  const granted: AccessChange[] = [];
  const revoked: AccessChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [group, api] = key.split('\0') as [string, string];
    const old = a.get(key);
    const now = b.get(key);
    if (old === undefined && now !== undefined) {
      if (now === '*' || now.length > 0) granted.push({ group, api, operations: now === '*' ? ['*'] : [...now] });
    } else if (old !== undefined && now === undefined) {
      if (old === '*' || old.length > 0) revoked.push({ group, api, operations: old === '*' ? ['*'] : [...old] });
    } else if (old !== undefined && now !== undefined) {
      if (old === '*' && now === '*') continue;
      if (now === '*') granted.push({ group, api, operations: ['*'] });
      else if (old === '*') revoked.push({ group, api, operations: ['*'], remaining: [...now] });
      else {
        const gained = now.filter((op) => !old.includes(op));
        const lost = old.filter((op) => !now.includes(op));
        if (gained.length > 0) granted.push({ group, api, operations: gained });
        if (lost.length > 0) revoked.push({ group, api, operations: lost, remaining: [...now] });
      }
    }
  }
  return { granted, revoked };
}

// Rate limits ------------------------------------------------------------------------------

export function limitView(limit: RateLimitConfig | null | undefined): LimitView | null {
  return limit == null ? null : { name: limit.name, limit: limit.limit, period: limit.period || formatDuration(limit.periodMs) };
}

/** Requests per millisecond; Infinity for no limit. */
export function rateOf(limit: LimitView | RateLimitConfig | null): number {
  if (limit === null) return Infinity;
  const periodMs = 'periodMs' in limit ? limit.periodMs : periodToMs(limit.period);
  return limit.limit / periodMs;
}

/** Milliseconds of a Go-style period as reports show it (`1m30s`). */
export function periodToMs(period: string): number {
  return parseDuration(period) ?? 1000;
}

function diffRateLimits(before: GatewayConfig | undefined, after: GatewayConfig | undefined, base: RuntimeConfig, head: RuntimeConfig): RateLimitChange[] {
  const out: RateLimitChange[] = [];
  const apis = [...new Set([...Object.keys(before?.access ?? {}), ...Object.keys(after?.access ?? {})])].sort();
  for (const api of apis) {
    const oldLimits = base.apis[api]?.rateLimits;
    const newLimits = head.apis[api]?.rateLimits;
    // Only consumers who can call the API on both sides see their limit change: a group that just
    // gained (or lost) access shows under access, not as a rate limit going from none to some.
    // `*` stands for consumers whose groups no limit names (the anyGroups limit).
    const oldAccess = before?.access[api];
    const newAccess = after?.access[api];
    if (oldAccess === undefined || newAccess === undefined) continue;
    // `*`: consumers an anyGroups access lets in, on both sides.
    const groups = new Set<string>(oldAccess.anyGroups !== null && newAccess.anyGroups !== null ? ['*'] : []);
    for (const group of Object.keys(oldAccess.groups)) if (Object.hasOwn(newAccess.groups, group)) groups.add(group);
    for (const limits of [oldLimits, newLimits]) {
      for (const group of Object.keys(limits?.groups ?? {})) if (Object.hasOwn(oldAccess.groups, group) && Object.hasOwn(newAccess.groups, group)) groups.add(group);
    }
    for (const group of [...groups].sort()) {
      const was = limitView(effective(oldLimits, group));
      const now = limitView(effective(newLimits, group));
      if (JSON.stringify(was) !== JSON.stringify(now)) out.push({ group, api, before: was, after: now });
    }
  }
  return out;
}

/** The limit a consumer of one group gets (shared/spec/resources.md precedence). */
function effective(limits: ApiConfig['rateLimits'] | undefined, group: string): RateLimitConfig | null {
  if (limits === undefined) return null;
  if (group !== '*' && Object.hasOwn(limits.groups, group)) return limits.groups[group]!;
  return limits.anyGroups;
}

// APIs -------------------------------------------------------------------------------------

function servedApis(gateway: GatewayConfig | undefined): Set<string> {
  return new Set([...Object.keys(gateway?.access ?? {}), ...(gateway?.routes ?? []).map((r) => r.api)]);
}

function diffApis(before: GatewayConfig | undefined, after: GatewayConfig | undefined, base: RuntimeConfig, head: RuntimeConfig): GatewayImpact['apis'] {
  const a = servedApis(before);
  const b = servedApis(after);
  const added = [...b].filter((api) => !a.has(api)).sort();
  const removed = [...a].filter((api) => !b.has(api)).sort();
  const changed: ApiChanged[] = [];
  for (const api of [...b].filter((x) => a.has(x)).sort()) {
    const changes = apiChanges(base.apis[api], head.apis[api]);
    if (changes.length > 0) changed.push({ api, changes });
  }
  return { added, removed, changed };
}

function apiChanges(before: ApiConfig | undefined, after: ApiConfig | undefined): string[] {
  if (before === undefined || after === undefined) return [];
  const out: string[] = [];
  const versionsBefore = Object.keys(before.targets).sort();
  const versionsAfter = Object.keys(after.targets).sort();
  if (versionsBefore.join() !== versionsAfter.join()) out.push('versions');
  if (before.currentVersion !== after.currentVersion) out.push('current version');
  const same = (pick: (t: ApiConfig['targets'][string]) => unknown) =>
    versionsAfter.every((v) => before.targets[v] === undefined || JSON.stringify(pick(before.targets[v]!)) === JSON.stringify(pick(after.targets[v]!)));
  if (!same((t) => t.backend)) out.push('backend');
  if (!same((t) => t.cors)) out.push('cors');
  if (!same((t) => t.headers)) out.push('headers');
  if (!same((t) => t.operationSets)) out.push('operation sets');
  if (!same((t) => t.openApi)) out.push('openapi');
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
