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

  /**
   * Whether the consumer's groups are granted any operation of the API through this gateway: all
   * of them, or an operation set some version of the API defines (a filter naming only sets the
   * API lacks grants nothing the gateway would let through).
   */
  canCall(api: string, groups: readonly string[]): boolean {
    if (this.#gateway === undefined) return false;
    const grant = grantFor(this.#gateway.access[api], groups);
    if (grant === null) return false;
    if (grant === '*') return true;
    const defined = Object.values(this.#config.apis[api]?.targets ?? {}).flatMap((t) => Object.keys(t.operationSets));
    return grant.some((set) => defined.includes(set));
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
   * Where the documents of one version are called: the gateway (on its first custom domain when
   * it has some, with the scheme and port of `gatewayUrl`) at the part of the route's prefix the
   * backend does not see (a collection prefix; nothing for a direct route), so the document keeps
   * the backend's own paths. A version whose route prefix is stripped (a call to `/flights/v2/42`
   * reaches `/flights/42`) cannot be described that way: it is served at its route prefix, and
   * `strip` (the forwarded prefix) is removed from the document's paths.
   */
  serverOf(
    key: string,
    collection: string | null,
    version: string | null,
    gatewayUrl: string,
  ): { url: string; strip: string; conditions: readonly { readonly in: 'header' | 'query'; readonly name: string; readonly value: string }[] } | undefined {
    const routes = (this.#gateway?.routes ?? []).filter((r) => r.api === key && r.collection === collection);
    const route = routes.find((r) => r.version === version && r.headers.length === 0 && r.query.length === 0) ?? routes.find((r) => r.version === version) ?? routes.find((r) => r.fallback || r.version === null);
    if (route === undefined) return undefined;
    let base = gatewayUrl.replace(/\/+$/, '');
    const host = this.#gateway?.hosts[0];
    if (host !== undefined) {
      const url = new URL(base);
      url.hostname = host;
      base = url.toString().replace(/\/+$/, '');
    }
    const upstream = route.upstreamPrefix === '/' ? '' : route.upstreamPrefix;
    const prefix = route.pathPrefix === '/' ? '' : route.pathPrefix;
    // A version chosen by a header or a query parameter: calls from its documents must carry it.
    const conditions = [...route.headers.map(([name, value]) => ({ in: 'header' as const, name, value })), ...route.query.map(([name, value]) => ({ in: 'query' as const, name, value }))];
    if (prefix.endsWith(upstream)) return { url: `${base}${prefix.slice(0, prefix.length - upstream.length)}`, strip: '', conditions };
    return { url: `${base}${prefix}`, strip: upstream, conditions };
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
