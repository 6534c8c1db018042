import { describe, expect, it } from 'vitest';
import type { ConditionList } from '../policy/index.js';
import { Router, type HeaderSource, type RoutableRoute } from './router.js';

interface NamedRoute extends RoutableRoute {
  readonly name: string;
}

function route(name: string, pathPrefix: string, headers: ConditionList = [], query: ConditionList = []): NamedRoute {
  return { name, pathPrefix, headers, query };
}

interface RequestFacts extends HeaderSource {
  readonly path: string;
  readonly query: string;
}

function request(path: string, headers: HeaderSource['headers'] = {}, query = ''): RequestFacts {
  return { path, headers, query };
}

const nameOf = (router: Router<NamedRoute>, facts: RequestFacts) => router.match(facts.path, facts.query, facts)?.name;

describe('Router: longest prefix by whole segments', () => {
  const router = new Router([route('api', '/api'), route('api-v2', '/api/v2'), route('apix', '/apix'), route('deep', '/a/b/c/d')]);

  it.each([
    ['/api', 'api'],
    ['/api/', 'api'],
    ['/api/x', 'api'],
    ['/api/x/y/z', 'api'],
    ['/api/v2', 'api-v2'],
    ['/api/v2/', 'api-v2'],
    ['/api/v2/orders/1', 'api-v2'],
    ['/api/v2x', 'api'],
    ['/api/v', 'api'],
    ['/apix', 'apix'],
    ['/apix/1', 'apix'],
    ['/apixy', undefined],
    ['/ap', undefined],
    ['/', undefined],
    ['/other/api', undefined],
    ['/a/b/c/d/e', 'deep'],
    ['/a/b/c', undefined],
  ])('%s → %s', (path, expected) => {
    expect(nameOf(router, request(path))).toBe(expected);
  });

  it('sends everything else to a route at the root', () => {
    const withRoot = new Router([route('root', '/'), route('api', '/api')]);
    expect(nameOf(withRoot, request('/'))).toBe('root');
    expect(nameOf(withRoot, request('/anything/else'))).toBe('root');
    expect(nameOf(withRoot, request('/apix'))).toBe('root');
    expect(nameOf(withRoot, request('/api/1'))).toBe('api');
  });

  it('does not depend on the order of routes with different prefixes', () => {
    const routes = [route('a', '/a'), route('ab', '/a/b'), route('abc', '/a/b/c'), route('root', '/')];
    for (const order of [routes, [...routes].reverse()]) {
      const r = new Router(order);
      expect(nameOf(r, request('/a/b/c/d'))).toBe('abc');
      expect(nameOf(r, request('/a/b/x'))).toBe('ab');
      expect(nameOf(r, request('/a/x'))).toBe('a');
      expect(nameOf(r, request('/x'))).toBe('root');
    }
  });

  it('treats prefix characters literally (no pattern, no case folding)', () => {
    const r = new Router([route('dots', '/v1.0'), route('upper', '/Api')]);
    expect(nameOf(r, request('/v1.0/x'))).toBe('dots');
    expect(nameOf(r, request('/v1x0/x'))).toBeUndefined();
    expect(nameOf(r, request('/Api'))).toBe('upper');
    expect(nameOf(r, request('/api'))).toBeUndefined();
  });
});

describe('Router: header and query conditions', () => {
  it('matches header conditions by lower-cased name and exact value, any of repeated values', () => {
    const r = new Router([route('v2', '/c', [['version', '2']]), route('fallback', '/c')]);
    expect(nameOf(r, request('/c/1', { version: '2' }))).toBe('v2');
    expect(nameOf(r, request('/c/1', { version: ['1', '2'] }))).toBe('v2');
    expect(nameOf(r, request('/c/1', { version: '02' }))).toBe('fallback');
    expect(nameOf(r, request('/c/1', { version: '2 ' }))).toBe('fallback');
    expect(nameOf(r, request('/c/1', {}))).toBe('fallback');
  });

  it('needs every condition of a route to hold (AND)', () => {
    const r = new Router([route('both', '/c', [['a', '1'], ['b', '2']], [['q', '3']]), route('fallback', '/c')]);
    expect(nameOf(r, request('/c', { a: '1', b: '2' }, 'q=3'))).toBe('both');
    expect(nameOf(r, request('/c', { a: '1', b: '2' }, 'q=4'))).toBe('fallback');
    expect(nameOf(r, request('/c', { a: '1' }, 'q=3'))).toBe('fallback');
  });

  it('matches query conditions on any value of a repeated parameter, decoded', () => {
    const r = new Router([route('v3', '/c', [], [['v', '3']]), route('fallback', '/c')]);
    expect(nameOf(r, request('/c', {}, 'v=3'))).toBe('v3');
    expect(nameOf(r, request('/c', {}, 'x=1&v=1&v=3'))).toBe('v3');
    expect(nameOf(r, request('/c', {}, 'v=%33'))).toBe('v3');
    expect(nameOf(r, request('/c', {}, 'v=33'))).toBe('fallback');
    expect(nameOf(r, request('/c', {}, 'V=3'))).toBe('fallback');
    expect(nameOf(r, request('/c', {}, ''))).toBe('fallback');
  });

  it('falls back to a shorter prefix when no route of the longer one holds', () => {
    const r = new Router([route('v2-by-header', '/customers/v2', [['version', '2']]), route('customers', '/customers')]);
    expect(nameOf(r, request('/customers/v2/1', { version: '2' }))).toBe('v2-by-header');
    expect(nameOf(r, request('/customers/v2/1'))).toBe('customers');
  });

  it('answers nothing when conditions fail and nothing shorter matches', () => {
    const r = new Router([route('only-v2', '/c', [['version', '2']])]);
    expect(nameOf(r, request('/c'))).toBeUndefined();
  });
});

describe('Router: order within one prefix is the compiler\'s', () => {
  // As compile() sorts a gateway's routes (runtime-config.ts, GatewayConfig.routes): at one
  // prefix, most conditions first, version routes before fallbacks, headers before queries.
  const compiled = [
    route('v5-header-and-query', '/customers', [['version', '5']], [['v', '5']]),
    route('v4-header', '/customers', [['version', '4']]),
    route('v3-query', '/customers', [], [['v', '3']]),
    route('v1-fallback', '/customers'),
  ];
  const r = new Router(compiled);

  it.each([
    [{}, '', 'v1-fallback'],
    [{ version: '4' }, '', 'v4-header'],
    [{}, 'v=3', 'v3-query'],
    [{ version: '4' }, 'v=3', 'v4-header'],
    [{ version: '5' }, 'v=5', 'v5-header-and-query'],
    [{ version: '5' }, '', 'v1-fallback'],
    [{ version: '5' }, 'v=3', 'v3-query'],
  ] as const)('headers %j, query %j → %s', (headers, query, expected) => {
    expect(nameOf(r, request('/customers/42', headers, query))).toBe(expected);
  });

  it('keeps the given order: the first route whose conditions hold wins', () => {
    const reversed = new Router([...compiled].reverse());
    expect(nameOf(reversed, request('/customers', { version: '4' }))).toBe('v1-fallback');
  });
});
