/**
 * Every answer the gateway gives on its own, by code, with its HTTP status. Bodies are
 * `{"error":{"code","message"}}` and never echo anything the client sent (docs/errors.md).
 */
export const GATEWAY_ERRORS = {
  ERR_GW_BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  ERR_GW_BAD_PATH: { status: 400, message: 'the request path is not accepted' },
  ERR_GW_BAD_HOST: { status: 400, message: 'the Host header is missing, repeated or invalid' },
  ERR_GW_DUPLICATE_CREDENTIALS: { status: 400, message: 'the Authorization header is repeated' },
  ERR_GW_TARGET_TOO_LONG: { status: 414, message: 'the request target is too long' },
  ERR_GW_TOO_MANY_HEADERS: { status: 431, message: 'the request has too many header lines' },
  ERR_GW_HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are too large' },
  ERR_GW_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  ERR_GW_ROUTE_NOT_FOUND: { status: 404, message: 'no API is served at this path' },
  ERR_GW_KEY_MISSING: { status: 401, message: 'an API key is required: send Authorization: Bearer <key>' },
  ERR_GW_KEY_INVALID: { status: 401, message: 'the API key is not valid' },
  ERR_GW_FORBIDDEN: { status: 403, message: 'this API key may not call this operation' },
  ERR_GW_RATE_LIMITED: { status: 429, message: 'rate limit exceeded: retry later' },
  ERR_GW_BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  ERR_GW_UPSTREAM_UNAVAILABLE: { status: 502, message: 'the API backend is unavailable' },
  ERR_GW_UPSTREAM_TIMEOUT: { status: 504, message: 'the API backend did not answer in time' },
  ERR_GW_NOT_READY: { status: 503, message: 'the gateway has no configuration yet' },
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** Response bodies, serialized once: they are the same for every request. */
export const ERROR_BODIES: Readonly<Record<GatewayErrorCode, string>> = Object.fromEntries(
  Object.entries(GATEWAY_ERRORS).map(([code, { message }]) => [code, JSON.stringify({ error: { code, message } })]),
) as Record<GatewayErrorCode, string>;
