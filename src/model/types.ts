import type { Kind } from './kinds.js';

// The decoded shape of each kind's spec, as in shared/spec/resources.md. A resource whose spec
// cannot be decoded into these shapes is reported and kept out of the graph's kind lists.

export interface ServicePort {
  readonly name?: string;
  readonly number?: number;
}

export interface OperationMatcher {
  readonly path?: string;
  readonly pathPrefix?: string;
  readonly pathRegex?: string;
  readonly methods?: readonly string[];
}

export interface OperationSet {
  readonly name: string;
  readonly matchers: readonly OperationMatcher[];
}

export interface OpenApiSpec {
  readonly path?: string;
  readonly url?: string;
  /** Legacy (removed upstream in Dec 2023): accepted with a warning. */
  readonly port?: ServicePort;
  /** Legacy: accepted with a warning. */
  readonly protocol?: string;
  readonly operationSets?: readonly OperationSet[];
}

export interface ServiceReference {
  readonly name: string;
  readonly port: ServicePort;
  readonly openApiSpec?: OpenApiSpec;
}

export interface HeaderOperations {
  readonly set?: Readonly<Record<string, string>>;
  readonly delete?: readonly string[];
}

export interface HeadersSpec {
  readonly request?: HeaderOperations;
  readonly response?: HeaderOperations;
}

export interface CorsSpec {
  readonly allowCredentials?: boolean;
  readonly allowHeaders?: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowOriginList?: readonly string[];
  readonly allowOriginListRegex?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAge?: number;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface ApiReference {
  readonly name: string;
  readonly namespace?: string;
}

export interface NameReference {
  readonly name: string;
}

export interface ApiSpec {
  readonly pathPrefix: string;
  readonly service?: ServiceReference;
  readonly currentVersion?: string;
  readonly headers?: HeadersSpec;
  readonly cors?: CorsSpec;
}

export interface VersionRoute {
  readonly pathPrefix?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly queryParams?: Readonly<Record<string, string>>;
}

export interface ApiVersionSpec {
  readonly apiName: string;
  readonly title?: string;
  readonly release?: string;
  readonly stripPathPrefix?: boolean;
  readonly routes?: readonly VersionRoute[];
  readonly service: ServiceReference;
  readonly headers?: HeadersSpec;
  readonly cors?: CorsSpec;
}

export interface ApiCollectionSpec {
  readonly pathPrefix?: string;
  readonly apiSelector?: LabelSelector;
  readonly apis?: readonly ApiReference[];
}

export interface OperationFilter {
  readonly include?: readonly string[];
}

export interface ApiAccessSpec {
  readonly groups?: readonly string[];
  readonly anyGroups?: boolean;
  readonly apiSelector?: LabelSelector;
  readonly apis?: readonly ApiReference[];
  readonly apiCollectionSelector?: LabelSelector;
  readonly apiCollections?: readonly NameReference[];
  readonly operationFilter?: OperationFilter;
}

export interface ApiGatewaySpec {
  readonly apiAccesses?: readonly string[];
  readonly customDomains?: readonly string[];
}

export interface PortalUiService {
  readonly name: string;
  readonly namespace?: string;
  readonly port: ServicePort;
}

export interface ApiPortalSpec {
  readonly title?: string;
  readonly description?: string;
  readonly apiGateway: string;
  readonly customDomains?: readonly string[];
  readonly ui?: { readonly logoUrl?: string; readonly service?: PortalUiService };
}

export type RateLimitStrategy = 'local' | 'distributed';

export interface ApiRateLimitSpec {
  readonly limit: number;
  /** As written (default `1s`). */
  readonly period: string;
  /** The period in milliseconds. */
  readonly periodMs: number;
  readonly strategy: RateLimitStrategy;
  readonly groups?: readonly string[];
  readonly anyGroups?: boolean;
  readonly apiSelector?: LabelSelector;
  readonly apis?: readonly ApiReference[];
}

export interface ServicePortSpec {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

export interface ServiceSpec {
  readonly type?: string;
  readonly externalName?: string;
  readonly ports: readonly ServicePortSpec[];
}

export interface EndpointSliceEndpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
}

export interface EndpointSlicePort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
}

/** An EndpointSlice has no `spec`: its top-level body is decoded into this shape. */
export interface EndpointSliceSpec {
  readonly addressType?: string;
  readonly endpoints: readonly EndpointSliceEndpoint[];
  readonly ports: readonly EndpointSlicePort[];
}

export interface SpecByKind {
  API: ApiSpec;
  APIVersion: ApiVersionSpec;
  APICollection: ApiCollectionSpec;
  APIAccess: ApiAccessSpec;
  APIGateway: ApiGatewaySpec;
  APIPortal: ApiPortalSpec;
  APIRateLimit: ApiRateLimitSpec;
  Service: ServiceSpec;
  EndpointSlice: EndpointSliceSpec;
}

export type SpecOf<K extends Kind> = SpecByKind[K];
