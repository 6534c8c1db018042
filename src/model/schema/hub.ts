import { parseDuration } from '../duration.js';
import { isSemver } from '../semver.js';
import type {
  ApiAccessSpec,
  ApiCollectionSpec,
  ApiGatewaySpec,
  ApiPortalSpec,
  ApiRateLimitSpec,
  ApiSpec,
  ApiVersionSpec,
  NameReference,
  RateLimitStrategy,
} from '../types.js';
import { boolean, integer, isAbsent, list, map, object, oneOf, optional, required, string, stringMap, type DecodeContext, type Decoder } from './decode.js';
import type { FieldPath } from '../source.js';
import {
  apiReferences,
  cors,
  customDomains,
  groups,
  headers,
  labelSelector,
  name,
  pathRule,
  rateLimitPeriod,
  serviceReference,
  servicePort,
} from './shared.js';

// The specs of the hub.traefik.io/v1alpha1 kinds, with the messages of shared/spec/resources.md.

function exclusive(a: string, b: string, message: string) {
  return (_value: unknown, path: FieldPath, ctx: DecodeContext, raw: Record<string, unknown>): void => {
    if (!isAbsent(raw[a]) && !isAbsent(raw[b])) ctx.error([...path, b], message);
  };
}

export const apiSpec: Decoder<ApiSpec> = object(
  {
    pathPrefix: required(pathRule),
    service: optional(serviceReference),
    currentVersion: optional(name),
    headers: optional(headers),
    cors: optional(cors),
  },
  {
    checks: [
      (_api, path, ctx, raw) => {
        if (isAbsent(raw.currentVersion) && isAbsent(raw.service)) ctx.error(path, 'currentVersion or service must be defined');
      },
      exclusive('service', 'currentVersion', 'currentVersion and service are mutually exclusive'),
      exclusive('currentVersion', 'cors', 'currentVersion and cors are mutually exclusive'),
      exclusive('currentVersion', 'headers', 'currentVersion and headers are mutually exclusive'),
    ],
  },
);

const versionRoute = object({
  pathPrefix: optional(pathRule),
  headers: optional(stringMap()),
  queryParams: optional(stringMap()),
});

export const apiVersionSpec: Decoder<ApiVersionSpec> = object({
  apiName: required(name),
  title: optional(string()),
  release: optional(string((value) => (isSemver(value) ? undefined : 'must be a valid semver version'))),
  stripPathPrefix: optional(boolean()),
  routes: optional(list(versionRoute, { max: 10 })),
  service: required(serviceReference),
  headers: optional(headers),
  cors: optional(cors),
});

export const apiCollectionSpec: Decoder<ApiCollectionSpec> = object({
  pathPrefix: optional(pathRule),
  apiSelector: optional(labelSelector),
  apis: optional(apiReferences),
});

const nameReference: Decoder<NameReference> = object({ name: required(name) });

export const apiAccessSpec: Decoder<ApiAccessSpec> = object(
  {
    groups: optional(groups),
    anyGroups: optional(boolean()),
    apiSelector: optional(labelSelector),
    apis: optional(apiReferences),
    apiCollectionSelector: optional(labelSelector),
    apiCollections: optional(list(nameReference, { max: 100 })),
    operationFilter: optional(object({ include: optional(list(string())) })),
  },
  { checks: [exclusive('groups', 'anyGroups', 'groups and anyGroups are mutually exclusive')] },
);

export const apiGatewaySpec: Decoder<ApiGatewaySpec> = object({
  apiAccesses: optional(list(name)),
  customDomains: optional(customDomains),
});

export const apiPortalSpec: Decoder<ApiPortalSpec> = object({
  title: optional(string()),
  description: optional(string()),
  apiGateway: required(name),
  customDomains: optional(customDomains),
  ui: optional(
    object({
      logoUrl: optional(string()),
      service: optional(object({ name: required(name), namespace: optional(name), port: required(servicePort) })),
    }),
  ),
});

const DEFAULT_PERIOD = '1s';

const rateLimitFields = object(
  {
    limit: required(integer({ min: 0, minMessage: 'must be a positive number' })),
    period: optional(string(rateLimitPeriod)),
    strategy: optional(oneOf<RateLimitStrategy>(['local', 'distributed'])),
    groups: optional(groups),
    anyGroups: optional(boolean()),
    apiSelector: optional(labelSelector),
    apis: optional(apiReferences),
  },
  { checks: [exclusive('groups', 'anyGroups', 'groups and anyGroups are mutually exclusive')] },
);

export const apiRateLimitSpec: Decoder<ApiRateLimitSpec> = map(rateLimitFields, (spec) => {
  const period = spec.period ?? DEFAULT_PERIOD;
  return { ...spec, limit: spec.limit!, period, periodMs: parseDuration(period)!, strategy: spec.strategy ?? 'local' };
});
