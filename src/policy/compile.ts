import { createHash } from 'node:crypto';
import type { CorsSpec, HeadersSpec, Resource, ResourceGraph, ServiceReference } from '../model/index.js';
import { resolveBackend } from './backend.js';
import { translateRegex } from './regex.js';
import { routesOfGateway } from './routes.js';
import type {
  ApiAccessConfig,
  ApiConfig,
  ConditionList,
  CorsConfig,
  GatewayConfig,
  HeadersConfig,
  MatcherConfig,
  OperationGrant,
  PortalConfig,
  RateLimitConfig,
  RateLimitsConfig,
  RegexConfig,
  RouteConfig,
  RuntimeConfig,
  TargetConfig,
} from './runtime-config.js';

export interface CompileOptions {
  /** The revision the graph was loaded from (a git commit, or a label). */
  readonly revision: string;
}

/**
 * Compiles a graph into the configuration gateways enforce. The graph must lint without errors
 * (the pipeline guarantees it); the output is deterministic, so its hash means something.
 */
export function compile(graph: ResourceGraph, options: CompileOptions): RuntimeConfig {
  const gateways = [...graph.list('APIGateway')].sort(byName).map((gateway) => compileGateway(graph, gateway));
  const served = new Map<string, Resource<'API'>>();
  for (const gateway of graph.list('APIGateway')) {
    for (const access of graph.accessesOfGateway(gateway)) for (const api of graph.apisOfAccess(access)) served.set(api.ref, api);
  }
  const limits = compileRateLimits(graph);
  const apis: Record<string, ApiConfig> = Object.fromEntries([...served.keys()].sort().map((key) => [key, compileApi(graph, served.get(key)!, limits.get(key))]));
  const portals: PortalConfig[] = [...graph.list('APIPortal')].sort(byName).map((portal) => ({
    name: portal.name,
    title: portal.spec.title ?? portal.name,
    description: portal.spec.description ?? '',
    gateway: portal.spec.apiGateway,
    hosts: sortedUnique((portal.spec.customDomains ?? []).map((domain) => domain.toLowerCase())),
    logoUrl: portal.spec.ui?.logoUrl ?? null,
  }));
  const body = { gateways, apis, portals };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { format: 1, revision: options.revision, hash, ...body };
}

function compileGateway(graph: ResourceGraph, gateway: Resource<'APIGateway'>): GatewayConfig {
  const definitions = routesOfGateway(graph, gateway);
  const routes: RouteConfig[] = definitions.map((route) => ({
    pathPrefix: route.pathPrefix,
    upstreamPrefix: route.upstreamPrefix,
    headers: route.headers,
    query: route.query,
    api: route.api.ref,
    version: route.version?.name ?? null,
    collection: route.collection?.name ?? null,
    fallback: route.fallback,
  }));
  routes.sort(compareRoutes);
  const grants = new Map<string, { groups: Map<string, OperationGrant>; anyGroups: OperationGrant | null }>();
  for (const access of graph.accessesOfGateway(gateway)) {
    const include = access.spec.operationFilter?.include;
    const grant: OperationGrant = include === undefined ? '*' : sortedUnique(include);
    for (const api of graph.apisOfAccess(access)) {
      let entry = grants.get(api.ref);
      if (entry === undefined) grants.set(api.ref, (entry = { groups: new Map(), anyGroups: null }));
      if (access.spec.anyGroups === true) entry.anyGroups = mergeGrants(entry.anyGroups, grant);
      for (const group of access.spec.groups ?? []) entry.groups.set(group, mergeGrants(entry.groups.get(group) ?? null, grant));
    }
  }
  // Object.fromEntries creates own keys even for names like `__proto__` or `constructor`.
  const access: Record<string, ApiAccessConfig> = Object.fromEntries(
    [...grants.keys()].sort().map((key) => {
      const entry = grants.get(key)!;
      return [key, { groups: sortedRecord(entry.groups), anyGroups: entry.anyGroups }];
    }),
  );
  return { name: gateway.name, hosts: sortedUnique((gateway.spec.customDomains ?? []).map((d) => d.toLowerCase())), routes, access };
}

/** A consumer in several groups, or a group granted by several accesses, gets the union. */
function mergeGrants(a: OperationGrant | null, b: OperationGrant): OperationGrant {
  if (a === null) return b;
  if (a === '*' || b === '*') return '*';
  return sortedUnique([...a, ...b]);
}

function compareRoutes(a: RouteConfig, b: RouteConfig): number {
  return (
    b.pathPrefix.length - a.pathPrefix.length ||
    compare(a.pathPrefix, b.pathPrefix) ||
    b.headers.length + b.query.length - (a.headers.length + a.query.length) ||
    Number(a.fallback) - Number(b.fallback) ||
    b.headers.length - a.headers.length ||
    compare(JSON.stringify([a.headers, a.query, a.api, a.version, a.collection]), JSON.stringify([b.headers, b.query, b.api, b.version, b.collection]))
  );
}

function compileApi(graph: ResourceGraph, api: Resource<'API'>, rateLimits: RateLimitsConfig | undefined): ApiConfig {
  const namespace = api.namespace!;
  const targets = new Map<string, TargetConfig>();
  if (api.spec.currentVersion === undefined) {
    if (api.spec.service !== undefined) targets.set('', compileTarget(graph, namespace, null, api.spec.service, api.spec.headers, api.spec.cors));
  } else {
    for (const version of graph.versionsOfApi(api)) {
      targets.set(version.name, compileTarget(graph, namespace, version, version.spec.service, version.spec.headers, version.spec.cors));
    }
  }
  return {
    name: api.name,
    namespace,
    currentVersion: api.spec.currentVersion ?? null,
    targets: sortedRecord(targets),
    rateLimits: rateLimits ?? { groups: {}, anyGroups: null },
  };
}

function compileTarget(
  graph: ResourceGraph,
  namespace: string,
  version: Resource<'APIVersion'> | null,
  service: ServiceReference,
  headers: HeadersSpec | undefined,
  cors: CorsSpec | undefined,
): TargetConfig {
  const sets = new Map<string, MatcherConfig[]>();
  for (const set of [...(service.openApiSpec?.operationSets ?? [])].sort(byName)) {
    const matchers = set.matchers.map((m) => ({
      path: m.path ?? null,
      pathPrefix: m.pathPrefix ?? null,
      pathRegex: m.pathRegex === undefined ? null : regex(m.pathRegex),
      methods: sortedUnique((m.methods ?? []).map((method) => method.toUpperCase())),
    }));
    sets.set(set.name, [...(sets.get(set.name) ?? []), ...matchers]);
  }
  const operationSets = sortedRecord(sets);
  const openApi = service.openApiSpec;
  return {
    version: version?.name ?? null,
    title: version?.spec.title ?? null,
    release: version?.spec.release ?? null,
    backend: resolveBackend(graph, namespace, service.name, service.port),
    headers: compileHeaders(headers),
    cors: cors === undefined ? null : compileCors(cors),
    operationSets,
    openApi: openApi === undefined ? null : { path: openApi.path ?? null, url: openApi.url ?? null },
  };
}

function compileHeaders(headers: HeadersSpec | undefined): HeadersConfig {
  const side = (ops: { set?: Readonly<Record<string, string>>; delete?: readonly string[] } | undefined) => ({
    set: Object.entries(ops?.set ?? {}).sort(([a], [b]) => compare(a.toLowerCase(), b.toLowerCase())) as ConditionList,
    delete: sortedUnique((ops?.delete ?? []).map((name) => name.toLowerCase())),
  });
  return { request: side(headers?.request), response: side(headers?.response) };
}

function compileCors(cors: CorsSpec): CorsConfig {
  return {
    allowCredentials: cors.allowCredentials ?? false,
    allowHeaders: [...(cors.allowHeaders ?? [])],
    allowMethods: (cors.allowMethods ?? []).map((m) => m.toUpperCase()),
    allowOriginList: [...(cors.allowOriginList ?? [])],
    allowOriginListRegex: (cors.allowOriginListRegex ?? []).map(regex),
    exposeHeaders: [...(cors.exposeHeaders ?? [])],
    maxAge: cors.maxAge ?? null,
  };
}

function regex(pattern: string): RegexConfig {
  const result = translateRegex(pattern);
  // The `regex` rule refuses a revision with a pattern that does not translate; a graph that
  // reaches the compiler has none. Never match rather than guess if one slips through.
  return result.ok ? { source: result.source, flags: result.flags } : { source: '(?!)', flags: '' };
}

/** Per API, the effective limits (shared/spec/resources.md, APIRateLimit precedence). */
function compileRateLimits(graph: ResourceGraph): Map<string, RateLimitsConfig> {
  const byApi = new Map<string, { groups: Map<string, RateLimitConfig>; anyGroups: RateLimitConfig | null }>();
  for (const resource of [...graph.list('APIRateLimit')].sort(byName)) {
    const limit: RateLimitConfig = {
      name: resource.name,
      limit: resource.spec.limit,
      periodMs: resource.spec.periodMs,
      period: resource.spec.period,
      strategy: resource.spec.strategy,
    };
    for (const api of graph.apisOfRateLimit(resource)) {
      let entry = byApi.get(api.ref);
      if (entry === undefined) byApi.set(api.ref, (entry = { groups: new Map(), anyGroups: null }));
      if (resource.spec.anyGroups === true) entry.anyGroups = moreRestrictive(entry.anyGroups, limit);
      for (const group of resource.spec.groups ?? []) entry.groups.set(group, moreRestrictive(entry.groups.get(group) ?? null, limit));
    }
  }
  const out = new Map<string, RateLimitsConfig>();
  for (const [key, entry] of byApi) out.set(key, { groups: sortedRecord(entry.groups), anyGroups: entry.anyGroups });
  return out;
}

/** The lower rate wins; equal rates keep the smaller bucket, then the first name. */
export function moreRestrictive(a: RateLimitConfig | null, b: RateLimitConfig): RateLimitConfig {
  if (a === null) return b;
  const rateA = a.limit / a.periodMs;
  const rateB = b.limit / b.periodMs;
  if (rateA !== rateB) return rateA < rateB ? a : b;
  if (a.limit !== b.limit) return a.limit < b.limit ? a : b;
  return a.name <= b.name ? a : b;
}

/** A plain record of a map, keys sorted; own keys even for `__proto__` and friends. */
function sortedRecord<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  return Object.fromEntries([...map.keys()].sort().map((key) => [key, map.get(key)!]));
}

function byName(a: { name: string }, b: { name: string }): number {
  return compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
