import { effectiveLimit, grantFor, type ApiConfig, type GatewayConfig, type PortalConfig, type RouteConfig, type RuntimeConfig } from '../policy/index.js';

/** An API as the portal UI (traefik/hub-apiportal-ui) expects it. */
export interface CatalogApi {
  readonly name: string;
  readonly specLink: string;
  readonly pathPrefix: string;
  readonly currentVersion?: string;
  readonly versions?: readonly { readonly semverVersion: string; readonly name: string; readonly title: string; readonly release: string }[];
  readonly rateLimit?: { readonly limit: number; readonly period: string };
}

export interface CatalogCollection {
  readonly name: string;
  readonly pathPrefix?: string;
  readonly apis: readonly CatalogApi[];
}

export interface Catalog {
  readonly title: string;
  readonly description: string;
  readonly logoUrl?: string;
  readonly jwtAuth: false;
  readonly apis: readonly CatalogApi[];
  readonly collections: readonly CatalogCollection[];
}

/** One portal's view of a configuration: its gateway and what a consumer's groups may call. */
export class PortalView {
  readonly portal: PortalConfig;
  readonly #config: RuntimeConfig;
  readonly #gateway: GatewayConfig | undefined;

  constructor(config: RuntimeConfig, portal: PortalConfig) {
    this.#config = config;
    this.portal = portal;
    this.#gateway = config.gateways.find((g) => g.name === portal.gateway);
  }

  /** Whether the consumer's groups are granted any operation of the API through this gateway. */
  canCall(api: string, groups: readonly string[]): boolean {
    return this.#gateway !== undefined && grantFor(this.#gateway.access[api], groups) !== null;
  }

  catalog(groups: readonly string[]): Catalog {
    const apis: CatalogApi[] = [];
    const collections = new Map<string, { pathPrefix: string | undefined; apis: CatalogApi[] }>();
    for (const [key, api] of Object.entries(this.#config.apis)) {
      if (!this.canCall(key, groups)) continue;
      for (const route of this.#baseRoutes(key)) {
        const entry = this.#entry(key, api, route, groups);
        if (route.collection === null) {
          apis.push(entry);
        } else {
          const collection = collections.get(route.collection) ?? { pathPrefix: collectionPrefix(route), apis: [] };
          collection.apis.push(entry);
          collections.set(route.collection, collection);
        }
      }
    }
    const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return {
      title: this.portal.title,
      description: this.portal.description,
      ...(this.portal.logoUrl === null ? {} : { logoUrl: this.portal.logoUrl }),
      jwtAuth: false,
      apis: apis.sort(byName),
      collections: [...collections]
        .map(([name, c]) => ({ name, ...(c.pathPrefix === undefined ? {} : { pathPrefix: c.pathPrefix }), apis: c.apis.sort(byName) }))
        .sort(byName),
    };
  }

  /** The API a spec link names, when the consumer may call it through that way in. */
  resolve(name: string, namespace: string, collection: string | undefined, groups: readonly string[]): { key: string; api: ApiConfig; route: RouteConfig } | undefined {
    const key = `${namespace}/${name}`;
    const api = this.#config.apis[key];
    if (api === undefined || !this.canCall(key, groups)) return undefined;
    const route = this.#baseRoutes(key).find((r) => r.collection === (collection ?? null));
    return route === undefined ? undefined : { key, api, route };
  }

  /**
   * The prefix to put in front of the backend's own paths in the document's `servers`: the part of
   * the route's prefix the backend does not see (the collection prefix; nothing for a direct
   * route). A version whose route prefix is stripped is served at its route prefix.
   */
  serverPrefixOf(key: string, collection: string | null, version: string | null): string | undefined {
    const routes = (this.#gateway?.routes ?? []).filter((r) => r.api === key && r.collection === collection);
    const route = routes.find((r) => r.version === version && r.headers.length === 0 && r.query.length === 0) ?? routes.find((r) => r.version === version) ?? routes.find((r) => r.fallback || r.version === null);
    if (route === undefined) return undefined;
    if (route.upstreamPrefix === '/') return route.pathPrefix === '/' ? '' : route.pathPrefix;
    return route.pathPrefix.endsWith(route.upstreamPrefix) ? route.pathPrefix.slice(0, route.pathPrefix.length - route.upstreamPrefix.length) : route.pathPrefix;
  }

  /** Per way in (direct, or each collection), the route at the API's own prefix. */
  #baseRoutes(key: string): RouteConfig[] {
    const routes = (this.#gateway?.routes ?? []).filter((r) => r.api === key && r.headers.length === 0 && r.query.length === 0 && (r.version === null || r.fallback));
    const seen = new Set<string | null>();
    return routes.filter((r) => !seen.has(r.collection) && seen.add(r.collection));
  }

  #entry(key: string, api: ApiConfig, route: RouteConfig, groups: readonly string[]): CatalogApi {
    const [namespace] = key.split('/') as [string];
    const specLink = route.collection === null ? `/apis/${api.name}@${namespace}` : `/collections/${route.collection}/apis/${api.name}@${namespace}`;
    const versions = Object.values(api.targets)
      .filter((t) => t.version !== null)
      .map((t) => ({ semverVersion: (t.release ?? '').replace(/^v/, ''), name: t.version!, title: t.title ?? '', release: t.release ?? '' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const limit = effectiveLimit(api.rateLimits, groups);
    return {
      name: api.name,
      specLink,
      pathPrefix: route.upstreamPrefix,
      ...(api.currentVersion === null ? {} : { currentVersion: api.currentVersion, versions }),
      ...(limit === null ? {} : { rateLimit: { limit: limit.limit, period: limit.period } }),
    };
  }
}

/** The collection part of a route's prefix (the route's prefix minus the API's own). */
function collectionPrefix(route: RouteConfig): string | undefined {
  if (route.pathPrefix === route.upstreamPrefix || !route.pathPrefix.endsWith(route.upstreamPrefix)) return undefined;
  return route.pathPrefix.slice(0, route.pathPrefix.length - route.upstreamPrefix.length) || undefined;
}
