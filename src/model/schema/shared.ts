import { parseDuration } from '../duration.js';
import { checkDnsLabel, isDomainName } from '../names.js';
import type {
  ApiReference,
  CorsSpec,
  HeadersSpec,
  LabelSelector,
  OpenApiSpec,
  OperationMatcher,
  OperationSet,
  ServicePort,
  ServiceReference,
} from '../types.js';
import { boolean, integer, isAbsent, legacy, list, object, optional, required, string, stringMap, type Check, type Decoder } from './decode.js';

// Field types shared by several kinds (shared/spec/resources.md, "Shared field types").

/** Path rule: API, collection and route prefixes, `openApiSpec.path`, matcher paths. */
export const checkPath: Check<string> = (value) => {
  if (value.length > 255) return `must be at most 255 characters, not ${value.length}`;
  if (!value.startsWith('/')) return "must start with a '/'";
  if (value.includes('/../') || value.endsWith('/..')) return "cannot contains '../'";
  return undefined;
};

export const pathRule = string(checkPath);

export const name = string(checkDnsLabel);

const nonEmpty: Check<string> = (value) => (value === '' ? 'must not be empty' : undefined);

export const servicePort: Decoder<ServicePort> = object(
  { name: optional(string(nonEmpty)), number: optional(integer({ min: 1, max: 65535 })) },
  { checks: [(_port, path, ctx, raw) => void (isAbsent(raw.name) && isAbsent(raw.number) && ctx.error(path, 'name or number must be defined'))] },
);

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
const checkMethod: Check<string> = (value) =>
  HTTP_METHODS.includes(value) ? undefined : `"${value}" is not an HTTP method: use one of ${HTTP_METHODS.join(', ')}`;

const operationMatcher: Decoder<OperationMatcher> = object(
  {
    path: optional(pathRule),
    pathPrefix: optional(pathRule),
    pathRegex: optional(string(nonEmpty)),
    methods: optional(list(string(checkMethod), { min: 1 })),
  },
  {
    checks: [
      (_matcher, path, ctx, raw) => {
        const paths = ['path', 'pathPrefix', 'pathRegex'].filter((key) => !isAbsent(raw[key]));
        if (paths.length > 1) ctx.error([...path, paths[1]!], 'path, pathPrefix and pathRegex are mutually exclusive');
        if (Object.keys(raw).length === 0) ctx.error(path, 'a matcher must not be empty: set path, pathPrefix or pathRegex, and/or methods');
      },
    ],
  },
);

const operationSet: Decoder<OperationSet> = object({
  name: required(string(nonEmpty)),
  matchers: required(list(operationMatcher, { min: 1, max: 100, minMessage: 'must have at least 1 matcher' })),
});

const checkUrl: Check<string> = (value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be a valid URL';
  } catch {
    return 'must be a valid URL';
  }
};

export const openApiSpec: Decoder<OpenApiSpec> = object(
  {
    path: optional(pathRule),
    url: optional(string(checkUrl)),
    port: legacy(servicePort, 'openApiSpec.port is a legacy field (removed upstream in Dec 2023): the spec is fetched from the service port'),
    protocol: legacy(string(), 'openApiSpec.protocol is a legacy field (removed upstream in Dec 2023)'),
    operationSets: optional(list(operationSet, { max: 100 })),
  },
  { checks: [(_spec, path, ctx, raw) => void (isAbsent(raw.path) && isAbsent(raw.url) && ctx.error(path, 'path or url must be defined'))] },
);

export const serviceReference: Decoder<ServiceReference> = object({
  name: required(name),
  port: required(servicePort),
  openApiSpec: optional(openApiSpec),
});

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const checkHeaderName: Check<string> = (value) => (HEADER_NAME.test(value) ? undefined : `"${value}" is not a valid header name`);
// Header values may not carry line breaks or NUL: they would split or end the header.
const checkHeaderValue: Check<string> = (value) => (/[\r\n\0]/.test(value) ? 'a header value must not contain CR, LF or NUL' : undefined);

const headerOperations = object({
  set: optional(stringMap(checkHeaderName, checkHeaderValue)),
  delete: optional(list(string(checkHeaderName))),
});

export const headers: Decoder<HeadersSpec> = object({ request: optional(headerOperations), response: optional(headerOperations) });

export const cors: Decoder<CorsSpec> = object({
  allowCredentials: optional(boolean()),
  allowHeaders: optional(list(string())),
  allowMethods: optional(list(string())),
  allowOriginList: optional(list(string())),
  allowOriginListRegex: optional(list(string())),
  exposeHeaders: optional(list(string())),
  maxAge: optional(integer({ min: -1 })),
});

/** Selectors are decoded by shape only; the `selector` rule reports bad operators and labels. */
export const labelSelector: Decoder<LabelSelector> = object({
  matchLabels: optional(stringMap()),
  matchExpressions: optional(
    list(object({ key: required(string()), operator: required(string()), values: optional(list(string())) })),
  ),
});

export const apiReference: Decoder<ApiReference> = object({
  name: required(string(nonEmpty, (v) => (v.length > 253 ? `must be at most 253 characters, not ${v.length}` : undefined))),
  namespace: optional(string((v) => (v.length > 63 ? `must be at most 63 characters, not ${v.length}` : undefined))),
});

/** `apis` lists: at most 100 entries; duplicates are reported by the `duplicate` rule. */
export const apiReferences = list(apiReference, { max: 100 });

export const customDomains = list(
  string((value) => (isDomainName(value) ? undefined : 'custom domain must be a valid domain name')),
  { max: 20 },
);

export const groups = list(string(nonEmpty));

/** Go-style duration string for rate limits: between 1s and 1h. */
export const rateLimitPeriod: Check<string> = (value) => {
  const ms = parseDuration(value);
  if (ms === undefined) return `"${value}" is not a duration: write it like 500ms, 5s, 1m or 1m30s`;
  if (ms < 1000 || ms > 3_600_000) return 'must be between 1s and 1h';
  return undefined;
};
