import { describe, expect, it } from 'vitest';
import type { CorsConfig } from '../policy/index.js';
import { CorsPolicy } from './cors.js';

function cors(fields: Partial<CorsConfig> = {}): CorsPolicy {
  return new CorsPolicy({
    allowCredentials: false,
    allowHeaders: [],
    allowMethods: [],
    allowOriginList: [],
    allowOriginListRegex: [],
    exposeHeaders: [],
    maxAge: null,
    ...fields,
  });
}

describe('CorsPolicy.isPreflight', () => {
  const policy = cors({ allowOriginList: ['https://app.example.com'] });
  type Headers = Readonly<Record<string, string | string[] | undefined>>;
  it.each<[string, Headers, boolean]>([
    ['OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' }, true],
    ['OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'PUT' }, true],
    ['OPTIONS', { origin: 'https://app.example.com' }, false],
    ['OPTIONS', { 'access-control-request-method': 'PUT' }, false],
    ['OPTIONS', {}, false],
    ['GET', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' }, false],
    ['OPTIONS', { origin: ['https://a.example', 'https://b.example'], 'access-control-request-method': 'PUT' }, false],
  ])('%s with %j → %s', (method, headers, expected) => {
    expect(policy.isPreflight(method, headers)).toBe(expected);
  });
});

describe('CorsPolicy.preflight', () => {
  it('answers an allowed origin with the configured methods, headers, max age and Vary', () => {
    const policy = cors({
      allowOriginList: ['https://app.example.com'],
      allowMethods: ['GET', 'PUT'],
      allowHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: 600,
    });
    expect(policy.preflight('https://app.example.com')).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'Content-Type, X-Request-Id',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('refuses an origin that is not listed, compared exactly', () => {
    const policy = cors({ allowOriginList: ['https://app.example.com'], allowMethods: ['GET'] });
    for (const origin of ['https://evil.example', 'http://app.example.com', 'https://app.example.com:8443', 'https://APP.example.com', 'https://app.example.com.evil.example', 'null', '']) {
      expect(policy.preflight(origin), origin).toBeNull();
    }
  });

  it('answers * for any origin without credentials, and echoes the origin with them', () => {
    expect(cors({ allowOriginList: ['*'] }).preflight('https://anyone.example')?.['access-control-allow-origin']).toBe('*');
    const withCredentials = cors({ allowOriginList: ['*'], allowCredentials: true }).preflight('https://anyone.example');
    expect(withCredentials).toMatchObject({ 'access-control-allow-origin': 'https://anyone.example', 'access-control-allow-credentials': 'true', vary: 'Origin' });
  });

  it('allows origins by regular expression', () => {
    const policy = cors({ allowOriginListRegex: [{ source: '^https://[a-z]+\\.example\\.com$', flags: '' }] });
    expect(policy.preflight('https://app.example.com')?.['access-control-allow-origin']).toBe('https://app.example.com');
    expect(policy.preflight('https://app.example.com.evil.example')).toBeNull();
    expect(policy.preflight('http://app.example.com')).toBeNull();
  });

  it('leaves out headers that are not configured', () => {
    expect(cors({ allowOriginList: ['https://a.example'] }).preflight('https://a.example')).toEqual({ 'access-control-allow-origin': 'https://a.example', vary: 'Origin' });
  });

  it('sends a max age of 0 when configured as 0', () => {
    expect(cors({ allowOriginList: ['https://a.example'], maxAge: 0 }).preflight('https://a.example')?.['access-control-max-age']).toBe('0');
  });
});

describe('CorsPolicy.decorate', () => {
  it('adds the allow headers, credentials and exposed headers for an allowed origin', () => {
    const policy = cors({ allowOriginList: ['https://app.example.com'], allowCredentials: true, exposeHeaders: ['RateLimit-Remaining', 'X-Total'] });
    const headers: Record<string, string | string[] | number | undefined> = { 'content-type': 'application/json' };
    policy.decorate('https://app.example.com', headers);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'RateLimit-Remaining, X-Total',
      vary: 'Origin',
    });
  });

  it('adds only Vary for an origin that is not allowed, so caches keep answers apart', () => {
    const policy = cors({ allowOriginList: ['https://app.example.com'] });
    const headers: Record<string, string | string[] | number | undefined> = {};
    policy.decorate('https://evil.example', headers);
    expect(headers).toEqual({ vary: 'Origin' });
  });

  it('appends Origin to a Vary the backend sent', () => {
    const policy = cors({ allowOriginList: ['https://app.example.com'] });
    const headers: Record<string, string | string[] | number | undefined> = { vary: 'Accept-Encoding' };
    policy.decorate('https://app.example.com', headers);
    expect(headers.vary).toBe('Accept-Encoding, Origin');
  });

  it('changes nothing on a request without Origin', () => {
    const policy = cors({ allowOriginList: ['*'] });
    const headers: Record<string, string | string[] | number | undefined> = { vary: 'Accept' };
    policy.decorate(undefined, headers);
    expect(headers).toEqual({ vary: 'Accept' });
  });

  it('never answers * together with credentials', () => {
    const policy = cors({ allowOriginList: ['*'], allowCredentials: true });
    const headers: Record<string, string | string[] | number | undefined> = {};
    policy.decorate('https://anyone.example', headers);
    expect(headers['access-control-allow-origin']).toBe('https://anyone.example');
    expect(headers['access-control-allow-credentials']).toBe('true');
  });
});
