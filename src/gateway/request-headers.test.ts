import { describe, expect, it } from 'vitest';
import { bearerToken, hostName, inspectHeaders, isHopByHop, isStrippedRequestHeader, MAX_HEADER_LINES } from './request-headers.js';

// Issue 3, "Headers": credentials and Host are read once from the raw lines, and what a client
// could lie with never reaches a backend. The end-to-end table is test/e2e/hostile-requests.test.ts.

/** node:http's rawHeaders: name, value, name, value... */
const lines = (...pairs: Array<readonly [string, string]>): string[] => pairs.flatMap(([name, value]) => [name, value]);

describe('inspectHeaders', () => {
  it('reads the credentials, the host and the Connection tokens', () => {
    expect(inspectHeaders(lines(['Host', 'api.example.test'], ['Authorization', 'Bearer k'], ['Connection', 'keep-alive, X-Secret ,,Authorization']))).toEqual({
      ok: true,
      authorization: 'Bearer k',
      host: 'api.example.test',
      connectionTokens: ['keep-alive', 'x-secret', 'authorization'],
      contentLength: undefined,
      chunked: false,
      origin: undefined,
    });
  });

  it('reads the body framing: Content-Length, or a Transfer-Encoding', () => {
    expect(inspectHeaders(lines(['Content-Length', ' 12 ']))).toMatchObject({ ok: true, contentLength: '12', chunked: false });
    expect(inspectHeaders(lines(['transfer-encoding', 'chunked']))).toMatchObject({ ok: true, contentLength: undefined, chunked: true });
  });

  it('joins the tokens of repeated Connection headers', () => {
    const facts = inspectHeaders(lines(['Connection', 'a'], ['connection', 'B']));
    expect(facts.ok && facts.connectionTokens).toEqual(['a', 'b']);
  });

  it('has no credentials and no host when none were sent', () => {
    expect(inspectHeaders([])).toEqual({ ok: true, authorization: undefined, host: undefined, connectionTokens: [], contentLength: undefined, chunked: false, origin: undefined });
  });

  const refused: ReadonlyArray<readonly [name: string, raw: string[], code: string]> = [
    ['two Authorization headers', lines(['Authorization', 'Bearer a'], ['Authorization', 'Bearer b']), 'ERR_GW_DUPLICATE_CREDENTIALS'],
    ['two Authorization headers in other cases', lines(['AUTHORIZATION', 'Bearer a'], ['authorization', 'Bearer a']), 'ERR_GW_DUPLICATE_CREDENTIALS'],
    ['an empty Authorization and another', lines(['Authorization', ''], ['Authorization', 'Bearer a']), 'ERR_GW_DUPLICATE_CREDENTIALS'],
    ['two Host headers', lines(['Host', 'a.test'], ['host', 'b.test']), 'ERR_GW_BAD_HOST'],
    ['two identical Host headers', lines(['Host', 'a.test'], ['Host', 'a.test']), 'ERR_GW_BAD_HOST'],
    [`${MAX_HEADER_LINES + 1} header lines`, Array.from({ length: MAX_HEADER_LINES + 1 }, (_, i) => [`X-${i}`, 'v']).flat(), 'ERR_GW_TOO_MANY_HEADERS'],
  ];
  for (const [name, raw, code] of refused) {
    it(`refuses ${name}`, () => {
      expect(inspectHeaders(raw)).toEqual({ ok: false, code });
    });
  }

  it(`accepts exactly ${MAX_HEADER_LINES} header lines`, () => {
    expect(inspectHeaders(Array.from({ length: MAX_HEADER_LINES }, (_, i) => [`X-${i}`, 'v']).flat()).ok).toBe(true);
  });

  it('does not take look-alike names for Authorization or Host', () => {
    const facts = inspectHeaders(lines(['Proxy-Authorization', 'Bearer p'], ['Authorization_', 'x'], ['X-Host', 'evil'], ['Hosts', 'evil'], ['Authorization', 'Bearer k'], ['Host', 'a.test']));
    expect(facts).toEqual({ ok: true, authorization: 'Bearer k', host: 'a.test', connectionTokens: [], contentLength: undefined, chunked: false, origin: undefined });
  });
});

describe('hostName', () => {
  const accepted: ReadonlyArray<readonly [header: string, name: string]> = [
    ['api.example.test', 'api.example.test'],
    ['API.Example.TEST', 'api.example.test'],
    ['api.example.test.', 'api.example.test'],
    ['api.example.test:8443', 'api.example.test'],
    ['api.example.test.:8443', 'api.example.test'],
    ['localhost', 'localhost'],
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[2001:DB8::1]', '[2001:db8::1]'],
    ['xn--caf-dma.example', 'xn--caf-dma.example'],
  ];
  for (const [header, name] of accepted) {
    it(`${JSON.stringify(header)} names ${name}`, () => expect(hostName(header)).toBe(name));
  }

  const refused = [
    '',
    ' ',
    'api.example.test@evil.example',
    'user:pass@api.example.test',
    'api.example.test, evil.example',
    'api.example.test/api/admin',
    'api.example.test\\evil',
    'api.example.test?x',
    'api.example.test#x',
    'api example.test',
    'api_example.test',
    '-api.example.test',
    'api-.example.test',
    'api..example.test',
    '.api.example.test',
    'api.example.test:',
    'api.example.test:port',
    'api.example.test:123456',
    'caf\u00e9.example',
    '[::1',
    '[evil.example]',
    'http://api.example.test',
    `${'a'.repeat(64)}.test`,
    `${'a.'.repeat(131)}a`,
  ];
  for (const header of refused) {
    it(`refuses ${JSON.stringify(header.length > 40 ? `${header.slice(0, 20)}... (${header.length})` : header)}`, () => expect(hostName(header)).toBeUndefined());
  }

  it('refuses a missing Host', () => expect(hostName(undefined)).toBeUndefined());
});

describe('bearerToken', () => {
  const cases: ReadonlyArray<readonly [header: string | undefined, token: string | undefined]> = [
    ['Bearer gg_abc', 'gg_abc'],
    ['bearer gg_abc', 'gg_abc'],
    ['BEARER gg_abc', 'gg_abc'],
    ['Bearer   gg_abc  ', 'gg_abc'],
    ['Bearer gg_a, Bearer gg_b', 'gg_a, Bearer gg_b'], // one opaque token: the key lookup refuses it
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['Bearer    ', undefined],
    ['Basic YWRtaW46YWRtaW4=', undefined],
    ['Token gg_abc', undefined],
    ['Bearergg_abc', undefined],
    ['gg_abc', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, token] of cases) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(token)}`, () => expect(bearerToken(header)).toBe(token));
  }
});

describe('isStrippedRequestHeader: what never reaches a backend as the client sent it', () => {
  const stripped = [
    'host',
    'authorization',
    'proxy-authorization',
    'connection',
    'keep-alive',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'forwarded',
    'x-real-ip',
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
    'x-forwarded-prefix',
    'x-original-url',
    'x-rewrite-url',
    'x-http-method-override',
    'x-method-override',
    'x-http-method',
    'x-gitgate-email',
    'x-gitgate-groups',
    'x-gitgate-token-name',
    'x-gitgate-anything',
    // Underscore spellings that CGI-style backends read as the dashed header.
    'x_gitgate_email',
    'x-gitgate_groups',
    'x_forwarded_for',
    'x_forwarded-host',
    'x_http_method_override',
    'x_original_url',
    'transfer_encoding',
    'proxy_authorization',
  ];
  for (const name of stripped) it(`strips ${name}`, () => expect(isStrippedRequestHeader(name)).toBe(true));

  const kept = ['accept', 'content-type', 'content-length', 'user-agent', 'x-request-id', 'x-forwarded', 'x-gitgate', 'x_custom_header', 'cookie', 'origin'];
  for (const name of kept) it(`keeps ${name}`, () => expect(isStrippedRequestHeader(name)).toBe(false));

  it('knows the hop-by-hop headers (for responses too)', () => {
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate']) expect(isHopByHop(name), name).toBe(true);
    for (const name of ['content-length', 'content-type', 'authorization']) expect(isHopByHop(name), name).toBe(false);
  });
});
