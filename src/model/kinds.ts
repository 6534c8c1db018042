/** The API group and version of the resources gitgate reads (shared/spec/resources.md). */
export const HUB_GROUP = 'hub.traefik.io';
export const HUB_API_VERSION = `${HUB_GROUP}/v1alpha1`;

export type HubKind = 'API' | 'APIVersion' | 'APICollection' | 'APIAccess' | 'APIGateway' | 'APIPortal' | 'APIRateLimit';
export type CoreKind = 'Service' | 'EndpointSlice';
/** The kinds gitgate understands; every other kind is counted and left alone. */
export type Kind = HubKind | CoreKind;

export interface KindInfo {
  readonly apiVersion: string;
  readonly namespaced: boolean;
  /** Hub kinds refuse unknown spec fields; core kinds carry many fields gitgate does not read. */
  readonly strict: boolean;
}

export const KINDS: Readonly<Record<Kind, KindInfo>> = {
  API: { apiVersion: HUB_API_VERSION, namespaced: true, strict: true },
  APIVersion: { apiVersion: HUB_API_VERSION, namespaced: true, strict: true },
  APICollection: { apiVersion: HUB_API_VERSION, namespaced: false, strict: true },
  APIAccess: { apiVersion: HUB_API_VERSION, namespaced: false, strict: true },
  APIGateway: { apiVersion: HUB_API_VERSION, namespaced: false, strict: true },
  APIPortal: { apiVersion: HUB_API_VERSION, namespaced: false, strict: true },
  APIRateLimit: { apiVersion: HUB_API_VERSION, namespaced: false, strict: true },
  Service: { apiVersion: 'v1', namespaced: true, strict: false },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', namespaced: true, strict: false },
};

export const KIND_NAMES = Object.keys(KINDS) as Kind[];

export function isKind(kind: string): kind is Kind {
  return Object.hasOwn(KINDS, kind);
}

/** The namespace an omitted reference namespace stands for. */
export const DEFAULT_NAMESPACE = 'default';
