import { describe, expect, it } from 'vitest';
import { canonicalizePath, canonicalizeTarget, coversPath, MAX_TARGET_LENGTH } from './canonical-path.js';

// The one canonical path (DESIGN.md, "One canonical path"; issue 3, "Canonical path, once"):
// every accepted target with the exact form routing, access and the upstream see; every refused
// one with the reason it gives. The end-to-end table is test/e2e/hostile-requests.test.ts.

const ENCODED = 'the path contains an encoded character that is not accepted (/, \\, ?, #, %, or a control character)';
const DOT = 'dot segments are not accepted in the path';
const EMPTY = 'empty path segments (//) are not accepted';
const UTF8 = 'invalid UTF-8 in the path';
const PERCENT = 'invalid percent-encoding';
const RAW = 'the path contains a character that must be percent-encoded';
const SEMICOLON = "path parameters (';') are not accepted";
const ENCODED_SEMICOLON = "path parameters (';', also encoded) are not accepted";
const FOLDS = 'the path contains a character that Unicode compatibility folding turns into path syntax';
const BACKSLASH = 'backslashes are not accepted in the path';
const NOT_ORIGIN = 'only origin-form targets (/path) are accepted';
const QUERY = 'the query contains a character that must be percent-encoded';

describe('canonicalizeTarget: accepted targets and their one canonical form', () => {
  const accepted: ReadonlyArray<readonly [target: string, path: string, query: string]> = [
    ['/', '/', ''],
    ['/api', '/api', ''],
    ['/api/public', '/api/public', ''],
    ['/api/public/', '/api/public/', ''], // one trailing slash is kept: it is a different path
    ['/api/public?', '/api/public', ''],
    ['/api/public?x=1&y=2', '/api/public', 'x=1&y=2'],
    ['/api/public?a=/../admin', '/api/public', 'a=/../admin'], // the query is not part of the path
    ['/api/public?a=%2e%2e%2f%zz', '/api/public', 'a=%2e%2e%2f%zz'], // nor canonicalized: forwarded as sent
    ['/api/public??x', '/api/public', '?x'],
    // Unreserved characters are decoded once, whatever the case of the hex digits.
    ['/%61pi/%70ublic', '/api/public', ''],
    ['/api/%41%5a%61%7a%30%39', '/api/AZaz09', ''],
    ['/api/%2D%2e%5F%7e', '/api/-._~', ''],
    ['/api/a%2eb', '/api/a.b', ''], // a dot inside a segment is not a dot segment
    // Other escapes stay encoded, with upper-case hex: one spelling per path.
    ['/api/a%20b', '/api/a%20b', ''],
    ['/api/%c3%a9', '/api/%C3%A9', ''],
    ['/api/%C3%A9', '/api/%C3%A9', ''],
    ['/api/%e2%82%ac', '/api/%E2%82%AC', ''], // € (3 bytes)
    ['/api/%f0%9f%98%80', '/api/%F0%9F%98%80', ''], // 😀 (4 bytes)
    ['/api/%f4%8f%bf%bf', '/api/%F4%8F%BF%BF', ''], // U+10FFFF, the last code point
    ['/api/%c2%80', '/api/%C2%80', ''], // U+0080, the smallest 2-byte form
    ['/api/%e0%a0%80', '/api/%E0%A0%80', ''], // U+0800, the smallest 3-byte form
    ['/api/%ef%bb%bf', '/api/%EF%BB%BF', ''], // U+FEFF folds to itself
    ['/api/%e2%88%95', '/api/%E2%88%95', ''], // U+2215 DIVISION SLASH: NFKC leaves it alone, so it is not path syntax
    ['/api/%21%24%26', '/api/%21%24%26', ''], // sub-delims stay encoded (not unreserved)
    ['/api/%3a%40', '/api/%3A%40', ''],
    // Raw sub-delims, ':' and '@' are pchars.
    ["/api/!$&'()*+,=:@", "/api/!$&'()*+,=:@", ''],
    // Segments that only start with dots are names, not dot segments.
    ['/.well-known/x', '/.well-known/x', ''],
    ['/api/...', '/api/...', ''],
    ['/api/..foo', '/api/..foo', ''],
    ['/api/foo..', '/api/foo..', ''],
    ['/api/.../x', '/api/.../x', ''],
  ];
  for (const [target, path, query] of accepted) {
    it(`${target} → ${path}${query === '' ? '' : ` ? ${query}`}`, () => {
      expect(canonicalizeTarget(target)).toEqual({ ok: true, path, query });
    });
  }

  it('is idempotent: the canonical form of a canonical path is itself', () => {
    for (const [, path] of accepted) expect(canonicalizePath(path)).toBe(path);
  });

  it('accepts a target of exactly the maximum length', () => {
    const target = `/${'a'.repeat(MAX_TARGET_LENGTH - 1)}`;
    expect(canonicalizeTarget(target)).toEqual({ ok: true, path: target, query: '' });
  });
});

describe('canonicalizeTarget: refused targets and the reason each gives', () => {
  const refused: ReadonlyArray<readonly [name: string, target: string, reason: string]> = [
    // Forms other than origin-form.
    ['absolute-form', 'http://evil/api/public', NOT_ORIGIN],
    ['absolute-form with the right host', 'http://api.example.test/api/public', NOT_ORIGIN],
    ['authority-form (CONNECT)', 'api.example.test:443', NOT_ORIGIN],
    ['asterisk-form', '*', 'asterisk-form targets are not accepted'],
    ['empty target', '', NOT_ORIGIN],
    ['relative path', 'api/public', NOT_ORIGIN],
    ['scheme-relative path (empty first segment)', '//evil/api/public', EMPTY],
    // Dot segments, plain.
    ['plain ..', '/api/public/../admin', DOT],
    ['plain .', '/api/./public', DOT],
    ['leading ..', '/../api/public', DOT],
    ['trailing /..', '/api/public/..', DOT],
    ['trailing /.', '/api/public/.', DOT],
    ['only ..', '/..', DOT],
    ['only .', '/.', DOT],
    ['trailing /.. before a query', '/api/public/..?x=1', DOT],
    // Dot segments, encoded (decoded once, then checked).
    ['%2e%2e', '/api/public/%2e%2e/admin', DOT],
    ['%2E%2E (upper case)', '/api/public/%2E%2E/admin', DOT],
    ['.%2e (mixed)', '/api/public/.%2e/admin', DOT],
    ['%2e. (mixed)', '/api/public/%2e./admin', DOT],
    ['%2E. (mixed case)', '/api/public/%2E./admin', DOT],
    ['%2e as a segment', '/api/%2e/public', DOT],
    ['trailing %2e%2e', '/api/public/%2e%2e', DOT],
    // Double encoding: an encoded '%' is refused, so nothing can decode twice.
    ['%252e%252e', '/api/public/%252e%252e/admin', ENCODED],
    ['%252f', '/api/public%252fadmin', ENCODED],
    ['%25 alone', '/api/100%25', ENCODED],
    // Encoded delimiters.
    ['%2f', '/api/public%2f..%2fadmin', ENCODED],
    ['%2F', '/api%2Fpublic', ENCODED],
    ['%5c', '/api/public%5c..%5cadmin', ENCODED],
    ['%5C', '/api%5Cpublic', ENCODED],
    ['%3f', '/api/public%3f/admin', ENCODED],
    ['%23', '/api/public%23/../admin', ENCODED],
    ['%00', '/api/public%00.json', ENCODED],
    ['%0a', '/api/public%0a', ENCODED],
    ['%0d%0a (header injection)', '/api/public%0d%0aX-Injected:%20yes', ENCODED],
    ['%09', '/api/public%09', ENCODED],
    ['%1f', '/api/public%1f', ENCODED],
    ['%7f', '/api/public%7f', ENCODED],
    // Path parameters.
    [';', '/api/public;/../admin', SEMICOLON],
    ['..;', '/api/public/..;/admin', SEMICOLON],
    [';jsessionid', '/api/public;jsessionid=1', SEMICOLON],
    ['%3b', '/api/public/..%3b/admin', ENCODED_SEMICOLON],
    ['%3B', '/api/public%3Bx', ENCODED_SEMICOLON],
    // Empty segments.
    ['//', '/api//public', EMPTY],
    ['trailing //', '/api/public//', EMPTY],
    ['leading //', '//api/public', EMPTY],
    ['/// in the middle', '/api///public', EMPTY],
    // Raw characters that must be percent-encoded.
    ['raw backslash', '/api\\public', BACKSLASH],
    ['raw backslash dot segment', '/api/public\\..\\admin', BACKSLASH],
    ['fragment', '/api/public#/../admin', RAW],
    ['fragment after the path', '/api/public#x', RAW],
    ['fragment in the query', '/api/public?x=1#frag', QUERY],
    ['raw NUL', '/api/pub\0lic', RAW],
    ['raw control character', '/api/pub\x01lic', RAW],
    ['raw DEL', '/api/pub\x7flic', RAW],
    ['raw space', '/api/pub lic', RAW],
    ['raw tab', '/api/pub\tlic', RAW],
    ['raw non-ASCII (latin1 bytes from node:http)', '/api/caf\u00c3\u00a9', RAW],
    ['raw non-ASCII (a real code point)', '/api/caf\u00e9', RAW],
    ['raw "', '/api/"public"', RAW],
    ['raw <', '/api/<script>', RAW],
    ['raw [', '/api/[public]', RAW],
    ['raw |', '/api/a|b', RAW],
    ['raw ^', '/api/a^b', RAW],
    ['raw `', '/api/a`b', RAW],
    ['raw {', '/api/{id}', RAW],
    ['raw % with no digits', '/api/%', PERCENT],
    ['query with a raw space', '/api/public?a b', QUERY],
    ['query with a raw control character', '/api/public?a\x01', QUERY],
    ['query with raw non-ASCII', '/api/public?caf\u00e9', QUERY],
    ['query with a raw DEL', '/api/public?\x7f', QUERY],
    // Invalid percent-encoding.
    ['%zz', '/api/%zz', PERCENT],
    ['%2 (one digit)', '/api/public%2', PERCENT],
    ['%2g', '/api/%2g', PERCENT],
    ['%u002e (IIS unicode escape)', '/api/public/%u002e%u002e/admin', PERCENT],
    ['% followed by a slash', '/api/%/x', PERCENT],
    // Invalid UTF-8.
    ['overlong . (%c0%ae)', '/api/public/%c0%ae%c0%ae/admin', UTF8],
    ['overlong / (%c0%af)', '/api/public%c0%afadmin', UTF8],
    ['overlong . (%c1%ae)', '/api/%c1%ae', UTF8],
    ['overlong 3-byte . (%e0%80%ae)', '/api/public/%e0%80%ae%e0%80%ae/admin', UTF8],
    ['overlong 4-byte / (%f0%80%80%af)', '/api/%f0%80%80%af', UTF8],
    ['high surrogate (%ed%a0%80)', '/api/%ed%a0%80', UTF8],
    ['low surrogate (%ed%bf%bf)', '/api/%ed%bf%bf', UTF8],
    ['beyond U+10FFFF (%f4%90%80%80)', '/api/%f4%90%80%80', UTF8],
    ['lead byte %f5', '/api/%f5%80%80%80', UTF8],
    ['lead byte %ff', '/api/%ff', UTF8],
    ['lone continuation byte', '/api/%80', UTF8],
    ['truncated sequence at the end', '/api/%c3', UTF8],
    ['truncated sequence before a slash', '/api/%c3/x', UTF8],
    ['truncated sequence before a letter', '/api/%c3x', UTF8],
    ['truncated sequence before an ASCII escape', '/api/%c3%41', UTF8],
    ['truncated 3-byte sequence', '/api/%e2%82', UTF8],
    ['too many continuation bytes', '/api/%c3%a9%a9', UTF8],
    // Code points that NFKC folds into path syntax.
    ['fullwidth dots (U+FF0E)', '/api/public/%ef%bc%8e%ef%bc%8e/admin', FOLDS],
    ['two dot leader (U+2025)', '/api/public/%e2%80%a5/admin', FOLDS],
    ['one dot leader (U+2024)', '/api/public/%e2%80%a4', FOLDS],
    ['fullwidth solidus (U+FF0F)', '/api/public%ef%bc%8fadmin', FOLDS],
    ['fullwidth reverse solidus (U+FF3C)', '/api/public%ef%bc%bcadmin', FOLDS],
    ['fullwidth semicolon (U+FF1B)', '/api/public%ef%bc%9b', FOLDS],
    ['Greek question mark (U+037E, folds to ;)', '/api/public%cd%be', FOLDS],
    ['small percent sign (U+FE6A)', '/api/%ef%b9%aa2e', FOLDS],
    ['account of (U+2100, folds to a/c)', '/api/%e2%84%80', FOLDS],
  ];
  for (const [name, target, reason] of refused) {
    it(`${name}: ${JSON.stringify(target)}`, () => {
      expect(canonicalizeTarget(target)).toEqual({ ok: false, reason });
    });
  }

  it('refuses a target one character over the maximum length', () => {
    expect(canonicalizeTarget(`/${'a'.repeat(MAX_TARGET_LENGTH)}`)).toEqual({ ok: false, reason: 'the request target is too long' });
  });
});

describe('canonicalizePath: configured prefixes take the same form as request paths', () => {
  it('puts a configured path in the form a request for it has', () => {
    expect(canonicalizePath('/caf%c3%a9')).toBe('/caf%C3%A9');
    expect(canonicalizePath('/%61pi')).toBe('/api');
    expect(canonicalizePath('/api/')).toBe('/api/');
  });

  it('refuses configured paths that no request could have', () => {
    expect(canonicalizePath('/api/../admin')).toEqual({ ok: false, reason: DOT });
    expect(canonicalizePath('/api//x')).toEqual({ ok: false, reason: EMPTY });
    expect(canonicalizePath('/api;v=1')).toEqual({ ok: false, reason: SEMICOLON });
  });
});

describe('coversPath: whole segments, longest prefix', () => {
  const cases: ReadonlyArray<readonly [prefix: string, path: string, covered: boolean]> = [
    ['/api', '/api', true],
    ['/api', '/api/', true],
    ['/api', '/api/x', true],
    ['/api', '/api/x/y', true],
    ['/api', '/apix', false],
    ['/api', '/ap', false],
    ['/api', '/', false],
    ['/api', '/API', false], // case matters: paths are case-sensitive
    ['/api/public', '/api/public', true],
    ['/api/public', '/api/publicx', false],
    ['/api/public', '/api/public/x', true],
    ['/api/public', '/api/publi', false],
    ['/api/public', '/api/public.json', false],
    ['/api/', '/api/x', true],
    ['/api/', '/api/', true],
    ['/api/', '/api', false],
    ['/', '/', true],
    ['/', '/anything/at/all', true],
  ];
  for (const [prefix, path, covered] of cases) {
    it(`${prefix} ${covered ? 'covers' : 'does not cover'} ${path}`, () => {
      expect(coversPath(prefix, path)).toBe(covered);
    });
  }
});
