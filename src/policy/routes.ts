import type { FieldPath, Resource, ResourceGraph } from '../model/index.js';

/** Header or query conditions of a route, sorted by name so equal conditions compare equal. */
export type Conditions = readonly (readonly [string, string])[];

/** One way a gateway serves an API (or one version of it): a full path prefix plus conditions. */
export interface RouteDefinition {
  readonly gateway: Resource<'APIGateway'>;
  /** Lower-cased host names the gateway answers on; empty means every host. */
  readonly hosts: readonly string[];
  /** Collection prefix + API prefix + version route prefix, without a trailing slash (`/` for the root). */
  readonly pathPrefix: string;
  /**
   * What replaces `pathPrefix` in the path the backend receives: the API prefix, plus the version
   * route prefix unless the version strips it. The collection prefix is always removed, so the
   * backend sees the same path whichever way the API was reached (shared/spec/resources.md).
   */
  readonly upstreamPrefix: string;
  readonly api: Resource<'API'>;
  readonly version: Resource<'APIVersion'> | undefined;
  readonly collection: Resource<'APICollection'> | undefined;
  /** Header names are lower-cased. */
  readonly headers: Conditions;
  readonly query: Conditions;
  /**
   * True for the route a versioned API serves at its own prefix through a fallback version (or
   * `currentVersion`): any version route that matches wins over it, even at the same prefix.
   */
  readonly fallback: boolean;
  /** Where the route comes from, for diagnostics. */
  readonly origin: { readonly resource: Resource; readonly path: FieldPath | undefined };
}

/** Joins path prefixes segment-wise: `/crm` + `/employees/` → `/crm/employees`. */
export function joinPrefixes(...prefixes: readonly (string | undefined)[]): string {
  let out = '';
  for (const prefix of prefixes) {
    if (prefix === undefined) continue;
    out += prefix.replace(/\/+$/, '');
  }
  return out === '' ? '/' : out;
}

function sortedConditions(map: Readonly<Record<string, string>> | undefined, lowerCaseNames: boolean): Conditions {
  if (map === undefined) return [];
  return Object.entries(map)
    .map(([name, value]) => [lowerCaseNames ? name.toLowerCase() : name, value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Every route one gateway serves, from the APIs its accesses grant: an unversioned API at its
 * prefix; a versioned API at each version route, and at its own prefix through its fallback
 * versions (versions without routes) or, with none, through `currentVersion`. Routes reached
 * through several accesses are listed once.
 */
export function routesOfGateway(graph: ResourceGraph, gateway: Resource<'APIGateway'>): RouteDefinition[] {
  const hosts = [...new Set((gateway.spec.customDomains ?? []).map((domain) => domain.toLowerCase()))].sort();
  const routes: RouteDefinition[] = [];
  const seen = new Set<string>();
  const add = (route: Omit<RouteDefinition, 'gateway' | 'hosts'>) => {
    const key = `${route.pathPrefix}\0${JSON.stringify(route.headers)}\0${JSON.stringify(route.query)}\0${route.api.id}\0${route.version?.id ?? ''}\0${route.collection?.id ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    routes.push({ gateway, hosts, ...route });
  };
  for (const access of graph.accessesOfGateway(gateway)) {
    for (const { api, collection } of graph.grantsOfAccess(access)) {
      const base = joinPrefixes(collection?.spec.pathPrefix, api.spec.pathPrefix);
      const apiPrefix = joinPrefixes(api.spec.pathPrefix);
      const apiOrigin = { resource: api as Resource, path: ['spec', 'pathPrefix'] as FieldPath };
      if (api.spec.currentVersion === undefined) {
        add({ pathPrefix: base, upstreamPrefix: apiPrefix, api, version: undefined, collection, headers: [], query: [], fallback: false, origin: apiOrigin });
        continue;
      }
      const versions = graph.versionsOfApi(api);
      let fallbacks = 0;
      for (const version of versions) {
        const versionRoutes = version.spec.routes ?? [];
        if (versionRoutes.length === 0) {
          fallbacks++;
          add({ pathPrefix: base, upstreamPrefix: apiPrefix, api, version, collection, headers: [], query: [], fallback: true, origin: { resource: version, path: undefined } });
        }
        versionRoutes.forEach((route, index) => {
          add({
            pathPrefix: joinPrefixes(base, route.pathPrefix),
            upstreamPrefix: version.spec.stripPathPrefix === true ? apiPrefix : joinPrefixes(apiPrefix, route.pathPrefix),
            api,
            version,
            collection,
            headers: sortedConditions(route.headers, true),
            query: sortedConditions(route.queryParams, false),
            fallback: false,
            origin: { resource: version, path: ['spec', 'routes', index] },
          });
        });
      }
      if (fallbacks === 0) {
        const current = versions.find((version) => version.name === api.spec.currentVersion);
        if (current !== undefined) {
          add({ pathPrefix: base, upstreamPrefix: apiPrefix, api, version: current, collection, headers: [], query: [], fallback: true, origin: apiOrigin });
        }
      }
    }
  }
  return routes;
}
