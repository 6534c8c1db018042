import type { ApiConfig, ConditionList, GatewayConfig, RateLimitsConfig, RuntimeConfig, TargetConfig } from '../policy/index.js';
import { AccessPolicy } from './access.js';
import { canonicalizePath } from './canonical-path.js';
import { CorsPolicy } from './cors.js';
import type { UpstreamPools, Upstream } from './upstream.js';
import { Router, type RoutableRoute } from './router.js';

/** What the hot path needs of one API, shared by all its routes. */
export interface CompiledApi {
  /** `namespace/name`. */
  readonly key: string;
  readonly name: string;
  readonly rateLimits: RateLimitsConfig;
}

/** One target (an API or one version of it), with everything precomputed. */
export interface CompiledTarget {
  readonly version: string | null;
  readonly upstream: Upstream;
  readonly requestSet: ConditionList;
  /** Lower-cased names of `requestSet`: a set header replaces the client's. */
  readonly requestSetNames: ReadonlySet<string>;
  readonly requestDelete: ReadonlySet<string>;
  readonly responseSet: ConditionList;
  readonly responseSetNames: ReadonlySet<string>;
  readonly responseDelete: readonly string[];
  readonly cors: CorsPolicy | null;
}

export interface CompiledRoute extends RoutableRoute {
  readonly upstreamPrefix: string;
  /** The route's part of its metrics key: API, version and configuration revision. */
  readonly metricKey: string;
  readonly api: CompiledApi;
  readonly target: CompiledTarget;
  readonly access: AccessPolicy;
}

/**
 * A RuntimeConfig turned into the structures requests use. Built once per configuration swap,
 * never per request; the gateway swaps the whole object in one assignment.
 */
export class CompiledConfig {
  readonly revision: string;
  readonly hash: string;
  readonly problems: readonly string[];
  readonly #routers: ReadonlyMap<string, Router<CompiledRoute>>;
  readonly #anyHost: Router<CompiledRoute> | undefined;

  /** Use build() or buildInSlices(). */
  constructor(revision: string, hash: string, routers: ReadonlyMap<string, Router<CompiledRoute>>, anyHost: Router<CompiledRoute> | undefined, problems: readonly string[]) {
    this.revision = revision;
    this.hash = hash;
    this.#routers = routers;
    this.#anyHost = anyHost;
    this.problems = problems;
  }

  /** Builds in one go (small configurations, tests). */
  static build(config: RuntimeConfig, pools: UpstreamPools, overrides: ReadonlyMap<string, string>): CompiledConfig {
    const steps = compileSteps(config, pools, overrides);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }

  /**
   * Builds in slices of about `sliceMs`, giving the event loop back in between: compiling 50,000
   * routes takes most of a second, which must not stall the traffic the current config serves.
   */
  static async buildInSlices(config: RuntimeConfig, pools: UpstreamPools, overrides: ReadonlyMap<string, string>, sliceMs = 5): Promise<CompiledConfig> {
    const steps = compileSteps(config, pools, overrides);
    let sliceStart = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
      if (performance.now() - sliceStart >= sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** The router of the gateway answering on `host` (lower-cased, without port). */
  routerFor(host: string): Router<CompiledRoute> | undefined {
    return this.#routers.get(host) ?? this.#anyHost;
  }
}

/** The compiler's steps: yields every few hundred routes, returns the finished configuration. */
function* compileSteps(config: RuntimeConfig, pools: UpstreamPools, overrides: ReadonlyMap<string, string>): Generator<void, CompiledConfig> {
  const problems: string[] = [];
  const apis = new Map<string, CompiledApi>();
  const targets = new Map<string, CompiledTarget>();
  const apiOf = (key: string, api: ApiConfig): CompiledApi => {
    let compiled = apis.get(key);
    if (compiled === undefined) apis.set(key, (compiled = { key, name: api.name, rateLimits: api.rateLimits }));
    return compiled;
  };
  const targetOf = (key: string, target: TargetConfig): CompiledTarget => {
    const id = `${key}@${target.version ?? ''}`;
    let compiled = targets.get(id);
    if (compiled === undefined) targets.set(id, (compiled = compileTarget(target, pools, overrides)));
    return compiled;
  };
  const routers = new Map<string, Router<CompiledRoute>>();
  let anyHost: Router<CompiledRoute> | undefined;
  for (const gateway of config.gateways) {
    const routes: CompiledRoute[] = [];
    yield* compileRoutes(gateway, config, apiOf, targetOf, problems, routes);
    const router = new Router(routes);
    // Gateways are sorted by name: with several answering every host, the first one does.
    if (gateway.hosts.length === 0) anyHost ??= router;
    for (const host of gateway.hosts) if (!routers.has(host)) routers.set(host, router);
  }
  return new CompiledConfig(config.revision, config.hash, routers, anyHost, problems);
}

const ROUTES_PER_STEP = 50;

function* compileRoutes(
  gateway: GatewayConfig,
  config: RuntimeConfig,
  apiOf: (key: string, api: ApiConfig) => CompiledApi,
  targetOf: (key: string, target: TargetConfig) => CompiledTarget,
  problems: string[],
  routes: CompiledRoute[],
): Generator<void> {
  const accessCache = new Map<string, AccessPolicy>();
  let count = 0;
  for (const route of gateway.routes) {
    if (++count % ROUTES_PER_STEP === 0) yield;
    const api = config.apis[route.api];
    const target = api?.targets[route.version ?? ''];
    const pathPrefix = canonicalizePath(route.pathPrefix);
    const upstreamPrefix = canonicalizePath(route.upstreamPrefix);
    if (api === undefined || target === undefined || typeof pathPrefix !== 'string' || typeof upstreamPrefix !== 'string') {
      problems.push(`gateway ${gateway.name}: route ${route.pathPrefix} to ${route.api} cannot be served`);
      continue;
    }
    const accessKey = `${route.api}@${route.version ?? ''}`;
    let access = accessCache.get(accessKey);
    if (access === undefined) accessCache.set(accessKey, (access = new AccessPolicy(gateway.access[route.api], target)));
    routes.push({
      pathPrefix,
      upstreamPrefix,
      headers: route.headers,
      query: route.query,
      api: apiOf(route.api, api),
      target: targetOf(route.api, target),
      access,
      metricKey: `${route.api}\0${route.version ?? ''}\0${config.revision}`,
    });
  }
}

function compileTarget(target: TargetConfig, pools: UpstreamPools, overrides: ReadonlyMap<string, string>): CompiledTarget {
  const { backend } = target;
  const override = backend.kind === 'dns' ? overrides.get(`${backend.service.namespace}/${backend.service.name}`) : undefined;
  return {
    version: target.version,
    upstream: pools.upstream(override === undefined ? backend.urls : [override]),
    requestSet: target.headers.request.set,
    requestSetNames: new Set(target.headers.request.set.map(([name]) => name.toLowerCase())),
    requestDelete: new Set(target.headers.request.delete),
    responseSet: target.headers.response.set,
    responseSetNames: new Set(target.headers.response.set.map(([name]) => name.toLowerCase())),
    responseDelete: target.headers.response.delete,
    cors: target.cors === null ? null : new CorsPolicy(target.cors),
  };
}
