// The one canonical form of a request path (DESIGN.md, "One canonical path"). Routing, access
// checks, rate-limit keys, metrics and the upstream request all use what this returns; anything
// two parsers could read differently is refused instead of guessed at.

export type CanonicalTarget = { readonly ok: true; readonly path: string; readonly query: string } | { readonly ok: false; readonly reason: string };

/** Longest request target accepted (414 beyond). */
export const MAX_TARGET_LENGTH = 8192;

const HEX = '0123456789ABCDEF';
/** Characters allowed raw in a path: RFC 3986 pchar and '/', without ';' (see below). */
const RAW_PATH = new Uint8Array(128);
/** Characters that decode once from %XX: RFC 3986 unreserved. */
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
  UNRESERVED[c.charCodeAt(0)] = 1;
  RAW_PATH[c.charCodeAt(0)] = 1;
}
// ';' is left out on purpose: some backends read `/a/..;/b` as `/b` (path parameters), which
// would let a request checked as one path reach another.
for (const c of "!$&'()*+,=:@/") RAW_PATH[c.charCodeAt(0)] = 1;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Canonicalizes an origin-form request target (`/path?query`). Refused: other forms (absolute,
 * asterisk, authority), fragments, raw characters outside RFC 3986 (controls, spaces,
 * backslashes, non-ASCII, ';'), invalid percent-encoding, encoded '/', '\', '?', '#', '%', ';',
 * NUL and controls, invalid or overlong UTF-8, code points that NFKC folds into path syntax, dot
 * segments and empty segments (one trailing slash is kept). Unreserved characters are decoded
 * once; other escapes are kept, upper-cased.
 */
export function canonicalizeTarget(target: string): CanonicalTarget {
  if (target.length > MAX_TARGET_LENGTH) return refuse('the request target is too long');
  if (target.charCodeAt(0) !== 47 /* / */) return refuse(target === '*' ? 'asterisk-form targets are not accepted' : 'only origin-form targets (/path) are accepted');
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt + 1);
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i);
    if (code <= 32 || code >= 127 || code === 35 /* # */) return refuse('the query contains a character that must be percent-encoded');
  }
  const path = canonicalizePath(rawPath);
  return typeof path === 'string' ? { ok: true, path, query } : path;
}

/** The path part alone; also used to put configured prefixes in the same form. */
export function canonicalizePath(raw: string): string | { readonly ok: false; readonly reason: string } {
  let out = '';
  let segmentStart = 0; // index in `out` where the current segment begins
  let utf8Pending = 0; // continuation bytes still expected
  let utf8Min = 0; // smallest code point the current sequence may encode (refuses overlong forms)
  let utf8Value = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 37 /* % */) {
      const high = hexValue(raw.charCodeAt(i + 1));
      const low = hexValue(raw.charCodeAt(i + 2));
      if (high < 0 || low < 0) return refuse('invalid percent-encoding');
      const byte = high * 16 + low;
      i += 2;
      if (utf8Pending > 0) {
        if ((byte & 0xc0) !== 0x80) return refuse('invalid UTF-8 in the path');
        utf8Value = (utf8Value << 6) | (byte & 0x3f);
        utf8Pending--;
        if (utf8Pending === 0) {
          if (utf8Value < utf8Min || utf8Value > 0x10ffff || (utf8Value >= 0xd800 && utf8Value <= 0xdfff)) return refuse('invalid UTF-8 in the path');
          if (foldsToPathSyntax(utf8Value)) return refuse('the path contains a character that Unicode compatibility folding turns into path syntax');
        }
        out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
        continue;
      }
      if (byte < 128) {
        if (UNRESERVED[byte] === 1) {
          out += String.fromCharCode(byte);
          continue;
        }
        if (byte === 47 || byte === 92 || byte === 63 || byte === 35 || byte === 37 || byte < 32 || byte === 127) {
          return refuse('the path contains an encoded character that is not accepted (/, \\, ?, #, %, or a control character)');
        }
        // '%3B' too, for the reason raw ';' is refused: a backend that decodes before it strips
        // path parameters reads `/a/..%3B/b` as `/b` (Spring Security's firewall refuses it too).
        if (byte === 59) return refuse("path parameters (';', also encoded) are not accepted");
        out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
        continue;
      }
      // The first byte of a multi-byte UTF-8 sequence.
      if (byte >= 0xc2 && byte <= 0xdf) [utf8Pending, utf8Min, utf8Value] = [1, 0x80, byte & 0x1f];
      else if (byte >= 0xe0 && byte <= 0xef) [utf8Pending, utf8Min, utf8Value] = [2, 0x800, byte & 0x0f];
      else if (byte >= 0xf0 && byte <= 0xf4) [utf8Pending, utf8Min, utf8Value] = [3, 0x10000, byte & 0x07];
      else return refuse('invalid UTF-8 in the path');
      out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
      continue;
    }
    if (utf8Pending > 0) return refuse('invalid UTF-8 in the path');
    if (code >= 128 || RAW_PATH[code] !== 1) {
      return refuse(code === 92 ? 'backslashes are not accepted in the path' : code === 59 ? "path parameters (';') are not accepted" : 'the path contains a character that must be percent-encoded');
    }
    if (code === 47 /* / */) {
      if (i > 0) {
        const problem = checkSegment(out, segmentStart);
        if (problem !== undefined) return refuse(problem);
      }
      out += '/';
      segmentStart = out.length;
      continue;
    }
    out += raw[i];
  }
  if (utf8Pending > 0) return refuse('invalid UTF-8 in the path');
  // The last segment may be empty (a trailing slash), but not a dot segment.
  const last = out.slice(segmentStart);
  if (last === '.' || last === '..') return refuse('dot segments are not accepted in the path');
  return out;
}

function checkSegment(out: string, start: number): string | undefined {
  const length = out.length - start;
  if (length === 0) return 'empty path segments (//) are not accepted';
  if (length <= 2 && (out.endsWith('/.', ) || out.endsWith('/..') || out === '.' || out === '..')) {
    const segment = out.slice(start);
    if (segment === '.' || segment === '..') return 'dot segments are not accepted in the path';
  }
  return undefined;
}

/** What a compatibility-folded code point must not contain: '.', '/', '\\', ';', '%', '?', '#', controls. */
const PATH_SYNTAX = /[./\\;%?#\x00-\x1f\x7f]/;

/**
 * Whether NFKC turns this (non-ASCII) code point into path syntax, like U+FF0E FULLWIDTH FULL
 * STOP into '.' or U+2025 TWO DOT LEADER into '..'. A backend that normalizes after decoding
 * would read `/a/%EF%BC%8E%EF%BC%8E/b` as `/b` while the gateway checked a path below `/a`.
 * Only complete non-ASCII code points get here: an ASCII path never pays for the normalize().
 */
function foldsToPathSyntax(codePoint: number): boolean {
  return PATH_SYNTAX.test(String.fromCodePoint(codePoint).normalize('NFKC'));
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * Whether `path` is `prefix` or below it, segment by segment: `/api` covers `/api` and `/api/x`,
 * not `/apix`. A prefix ending in '/' covers what starts with it.
 */
export function coversPath(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47;
}
