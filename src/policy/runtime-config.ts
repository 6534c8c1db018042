// The compiled configuration a gateway enforces. Plain JSON (it travels from the control plane to
// gateways and is cached on disk), built in a deterministic order so equal inputs give equal
// bytes and `hash` identifies what is enforced.

/** `[name, value]` pairs sorted by name; header names lower-cased. */
export type ConditionList = readonly (readonly [string, string])[];

export interface RuntimeConfig {
  /** Format version of this structure. */
  readonly format: 1;
  /** The configuration revision (a git commit, or a content hash for a directory). */
  readonly revision: string;
  /** SHA-256 of everything below, revision excluded: two revisions with the same effect share it. */
  readonly hash: string;
  readonly gateways: readonly GatewayConfig[];
  /** Every API some gateway serves, by `namespace/name`. */
  readonly apis: Readonly<Record<string, ApiConfig>>;
  readonly portals: readonly PortalConfig[];
}

export interface GatewayConfig {
  readonly name: string;
  /** Lower-cased hosts; empty means every host. */
  readonly hosts: readonly string[];
  /**
   * Sorted by path prefix (longest first), then by number of conditions (most first), version
   * routes before fallbacks, header conditions before query conditions; the first route whose
   * conditions hold wins, which makes the choice deterministic when different conditions overlap.
   */
  readonly routes: readonly RouteConfig[];
  /** Who may call each API through this gateway, by `namespace/name`. */
  readonly access: Readonly<Record<string, ApiAccessConfig>>;
}

export interface RouteConfig {
  readonly pathPrefix: string;
  readonly upstreamPrefix: string;
  readonly headers: ConditionList;
  readonly query: ConditionList;
  /** `namespace/name` of the API. */
  readonly api: string;
  /** The APIVersion name, or null for an unversioned API. */
  readonly version: string | null;
  readonly collection: string | null;
  /** A versioned API's fallback at its own prefix: any matching version route wins over it. */
  readonly fallback: boolean;
}

/** Operation sets granted: every operation, or the named sets (possibly none). */
export type OperationGrant = '*' | readonly string[];

export interface ApiAccessConfig {
  readonly groups: Readonly<Record<string, OperationGrant>>;
  /** The grant for any authenticated consumer (`anyGroups: true`), or null. */
  readonly anyGroups: OperationGrant | null;
}

export interface ApiConfig {
  readonly name: string;
  readonly namespace: string;
  /** Null for an unversioned API. */
  readonly currentVersion: string | null;
  /** By version name; the unversioned API's own target is under `""`. */
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly rateLimits: RateLimitsConfig;
}

export interface TargetConfig {
  /** APIVersion name or null. */
  readonly version: string | null;
  readonly title: string | null;
  readonly release: string | null;
  readonly backend: BackendConfig;
  readonly headers: HeadersConfig;
  readonly cors: CorsConfig | null;
  /** Operation set name → matchers. */
  readonly operationSets: Readonly<Record<string, readonly MatcherConfig[]>>;
  readonly openApi: { readonly path: string | null; readonly url: string | null } | null;
}

export interface BackendConfig {
  /** The Service, so a running gateway can apply an override (`namespace/name=url`). */
  readonly service: { readonly namespace: string; readonly name: string; readonly port: number };
  /**
   * How the address was resolved (shared/spec/resources.md, Service and EndpointSlice):
   * `endpoints` from EndpointSlices, `external` from an ExternalName, `dns` cluster DNS (which an
   * override replaces).
   */
  readonly kind: 'endpoints' | 'external' | 'dns';
  /** Base URLs (`http://10.0.0.1:8080`), balanced round robin. */
  readonly urls: readonly string[];
}

export interface HeadersConfig {
  readonly request: { readonly set: ConditionList; readonly delete: readonly string[] };
  readonly response: { readonly set: ConditionList; readonly delete: readonly string[] };
}

export interface CorsConfig {
  readonly allowCredentials: boolean;
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowOriginList: readonly string[];
  /** Translated to JavaScript syntax. */
  readonly allowOriginListRegex: readonly RegexConfig[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number | null;
}

export interface RegexConfig {
  readonly source: string;
  readonly flags: string;
}

export interface MatcherConfig {
  readonly path: string | null;
  readonly pathPrefix: string | null;
  readonly pathRegex: RegexConfig | null;
  /** Upper-case; empty means every method. */
  readonly methods: readonly string[];
}

export interface RateLimitConfig {
  readonly name: string;
  readonly limit: number;
  readonly periodMs: number;
  /** As written, for reports (`1m`). */
  readonly period: string;
  readonly strategy: 'local' | 'distributed';
}

/**
 * Effective limits on one API (shared/spec/resources.md, APIRateLimit): per group the most
 * restrictive limit naming it, and the most restrictive `anyGroups` limit. A consumer gets the
 * most favourable of its groups' limits, or the `anyGroups` one when none names its groups.
 */
export interface RateLimitsConfig {
  readonly groups: Readonly<Record<string, RateLimitConfig>>;
  readonly anyGroups: RateLimitConfig | null;
}

export interface PortalConfig {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly gateway: string;
  readonly hosts: readonly string[];
  readonly logoUrl: string | null;
}
