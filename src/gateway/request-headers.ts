import type { GatewayErrorCode } from './errors.js';

/** More header lines than this is refused with 431. */
export const MAX_HEADER_LINES = 100;

export type HeaderFacts =
  | {
      readonly ok: true;
      readonly authorization: string | undefined;
      readonly host: string | undefined;
      readonly connectionTokens: readonly string[];
      /** The Content-Length the server accepted (it refuses a repeated one). */
      readonly contentLength: string | undefined;
      /** A Transfer-Encoding was sent: the body is chunked (the server refuses any other coding, and one next to a Content-Length). */
      readonly chunked: boolean;
      /** The Origin of a browser's cross-origin request (CORS). */
      readonly origin: string | undefined;
    }
  | { readonly ok: false; readonly code: GatewayErrorCode };

/**
 * Reads the raw header lines once. Repeated Authorization and Host headers are refused here:
 * servers differ on which one counts (node:http keeps the first, others the last), so the gateway
 * and a backend could disagree. Returns the credentials, the host and the names listed in `Connection`.
 */
export function inspectHeaders(rawHeaders: readonly string[]): HeaderFacts {
  if (rawHeaders.length > MAX_HEADER_LINES * 2) return { ok: false, code: 'ERR_GW_TOO_MANY_HEADERS' };
  let authorization: string | undefined;
  let host: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  let origin: string | undefined;
  const connectionTokens: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Only names of these lengths can be the headers read here: skip the lower-casing otherwise.
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      if (authorization !== undefined) return { ok: false, code: 'ERR_GW_DUPLICATE_CREDENTIALS' };
      authorization = rawHeaders[i + 1]!;
    } else if (name.length === 4 && name.toLowerCase() === 'host') {
      if (host !== undefined) return { ok: false, code: 'ERR_GW_BAD_HOST' };
      host = rawHeaders[i + 1]!;
    } else if (name.length === 10 && name.toLowerCase() === 'connection') {
      for (const token of rawHeaders[i + 1]!.split(',')) {
        const trimmed = token.trim().toLowerCase();
        if (trimmed !== '') connectionTokens.push(trimmed);
      }
    } else if (name.length === 14 && name.toLowerCase() === 'content-length') {
      contentLength = rawHeaders[i + 1]!.trim();
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      chunked = true;
    } else if (name.length === 6 && name.toLowerCase() === 'origin') {
      origin ??= rawHeaders[i + 1]!;
    }
  }
  return { ok: true, authorization, host, connectionTokens, contentLength, chunked, origin };
}

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

/** The host name a Host header names (lower-cased, no port, no trailing dot), or undefined when invalid. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 261 || !HOST.test(header)) return undefined;
  let name = header.toLowerCase();
  if (name.startsWith('[')) return name.slice(0, name.indexOf(']') + 1);
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The key from `Authorization: Bearer <key>` (scheme case-insensitive), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length < 8) return undefined;
  if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  return token === '' ? undefined : token;
}

/** Headers that describe one connection, never forwarded (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Request headers never forwarded as the client sent them: hop-by-hop headers, credentials,
 * the Host (the backend gets its own), and what a client could use to lie about itself or
 * rewrite the request behind the gateway's back.
 */
const STRIPPED = new Set([
  ...HOP_BY_HOP,
  'host',
  'authorization',
  'forwarded',
  // Client addresses a backend might trust: only the gateway says who the client is.
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-method-override',
  // The third common spelling of a method override (OData, ASP.NET): a backend honouring it
  // would run a DELETE that the gateway authorized as a GET.
  'x-http-method',
]);

/** The gateway's own identity headers: set by the gateway only. */
export const IDENTITY_HEADERS = { email: 'x-gitgate-email', tokenName: 'x-gitgate-token-name', groups: 'x-gitgate-groups' } as const;

export function isStrippedRequestHeader(name: string): boolean {
  // CGI-style backends (Rack, WSGI, PHP) read `X_Gitgate_Email` and `X-Gitgate-Email` as the same
  // HTTP_X_GITGATE_EMAIL, so an underscore spelling would pass for what the gateway sets (the
  // flaw of oauth2-proxy GHSA-vjrc-mh2v-45x6): such names are judged as their dashed form.
  // Header names rarely hold '_', so most pay only for the includes().
  const dashed = name.includes('_') ? name.replaceAll('_', '-') : name;
  return STRIPPED.has(dashed) || dashed.startsWith('x-forwarded-') || dashed.startsWith('x-gitgate-');
}

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}
