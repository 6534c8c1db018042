import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  createConsumer,
  echoOf,
  errorBody,
  send,
  startEchoUpstream,
  startGateway,
  tempDir,
  writeResources,
  yaml,
  type Address,
  type Upstream,
} from '../helpers/gateway-fixtures.js';

// Issue 3, acceptance: routing over collections and versions (path, header, query), longest
// prefix by whole segments, 404, and host routing by customDomains. Real upstreams on port 0, a
// real directory of YAML, a key made through the CLI, the gateway started with startServe.

const up: Record<string, Upstream> = {};
let gw: Address;
let key = '';

beforeAll(async () => {
  const names = ['api', 'special', 'orders', 'v1', 'v2', 'v3', 'v4', 'v5', 't1', 't2', 'public', 'partner', 'only'] as const;
  for (const name of names) up[name] = await startEchoUpstream(name);
  const dir = await tempDir('routing-res');
  const dataDir = await tempDir('routing-data');
  await writeResources(dir, [
    ...names.flatMap((name) => yaml.backend(`${name}-app`, [up[name]!.port])),
    // Two unversioned APIs, one prefix inside the other.
    yaml.api({ name: 'api', pathPrefix: '/api', service: 'api-app' }),
    yaml.api({ name: 'special', pathPrefix: '/api/special', service: 'special-app' }),
    // An API in a collection with its own prefix.
    yaml.api({ name: 'orders', pathPrefix: '/orders', service: 'orders-app', labels: { module: 'shop' } }),
    yaml.collection({ name: 'shop', pathPrefix: '/shop', selector: { module: 'shop' } }),
    // A versioned API with a fallback version (v1, no routes).
    yaml.api({ name: 'customers', pathPrefix: '/customers', currentVersion: 'v2', labels: { module: 'shop' } }),
    yaml.version({ name: 'v1', api: 'customers', service: 'v1-app' }),
    yaml.version({ name: 'v2', api: 'customers', service: 'v2-app', routes: [{ pathPrefix: '/v2' }], stripPathPrefix: true }),
    yaml.version({ name: 'v3', api: 'customers', service: 'v3-app', routes: [{ queryParams: { v: '3' } }] }),
    yaml.version({ name: 'v4', api: 'customers', service: 'v4-app', routes: [{ headers: { Version: '4' } }] }),
    yaml.version({ name: 'v5', api: 'customers', service: 'v5-app', routes: [{ pathPrefix: '/v5' }] }),
    // A versioned API without a fallback: currentVersion serves what no route matches.
    yaml.api({ name: 'things', pathPrefix: '/things', currentVersion: 't1' }),
    yaml.version({ name: 't1', api: 'things', service: 't1-app', routes: [{ pathPrefix: '/t1' }], stripPathPrefix: true }),
    yaml.version({ name: 't2', api: 'things', service: 't2-app', routes: [{ headers: { 'X-Beta': '1' } }] }),
    // Host routing: one gateway on every host, one on partner.example.com only.
    yaml.api({ name: 'hello-public', pathPrefix: '/hello', service: 'public-app' }),
    yaml.api({ name: 'hello-partner', pathPrefix: '/hello', service: 'partner-app' }),
    yaml.api({ name: 'partner-only', pathPrefix: '/partner-only', service: 'only-app' }),
    yaml.access({ name: 'everyone', apis: ['api', 'special', 'orders', 'customers', 'things', 'hello-public'] }),
    yaml.access({ name: 'shop-buyers', collections: ['shop'] }),
    yaml.access({ name: 'partners', apis: ['hello-partner', 'partner-only'] }),
    yaml.gateway('main', ['everyone', 'shop-buyers']),
    yaml.gateway('partner', ['partners'], ['partner.example.com']),
  ]);
  ({ key } = await createConsumer(dataDir, 'router@example.com', ['users']));
  ({ gateway: gw } = await startGateway({ dir, dataDir }));
});

afterAll(cleanup);

async function get(path: string, headers: Record<string, string> = {}) {
  return send(gw, { path, key, headers });
}

describe('path prefixes', () => {
  it.each([
    ['/api', 'api', '/api'],
    ['/api/', 'api', '/api/'],
    ['/api/x/y', 'api', '/api/x/y'],
    ['/api/specialx', 'api', '/api/specialx'],
    ['/api/special', 'special', '/api/special'],
    ['/api/special/deep/er', 'special', '/api/special/deep/er'],
  ])('%s goes to %s, which sees %s (longest whole-segment prefix wins)', async (path, upstream, seen) => {
    const echo = echoOf(await get(path));
    expect(echo.upstream).toBe(upstream);
    expect(echo.path).toBe(seen);
  });

  it.each(['/apix', '/ap', '/', '/nothing/here', '/customersx', '/shopx/orders', '/shop'])('%s is not served: 404 ERR_GW_ROUTE_NOT_FOUND', async (path) => {
    const answer = await get(path);
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual(errorBody('ERR_GW_ROUTE_NOT_FOUND'));
  });

  it('a route is found before the key is asked for: an unknown path is 404 even without a key', async () => {
    const answer = await send(gw, { path: '/apix' });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(errorBody('ERR_GW_ROUTE_NOT_FOUND'));
  });

  it('keeps the query string for the backend', async () => {
    const echo = echoOf(await get('/api/search?q=a%20b&tag=1&tag=2'));
    expect(echo.url).toBe('/api/search?q=a%20b&tag=1&tag=2');
    expect(echo.query).toEqual({ q: 'a b', tag: ['1', '2'] });
  });
});

describe('collections', () => {
  it('serves an API under its collection prefix, and the backend sees the path without it', async () => {
    const echo = echoOf(await get('/shop/orders/42?x=1'));
    expect(echo.upstream).toBe('orders');
    expect(echo.path).toBe('/orders/42');
    expect(echo.query).toEqual({ x: '1' });
  });

  it('the same API granted directly is reached at its own prefix, and the backend sees the same path', async () => {
    const echo = echoOf(await get('/orders/42'));
    expect(echo.upstream).toBe('orders');
    expect(echo.path).toBe('/orders/42');
  });

  it('the collection prefix alone is the API prefix root', async () => {
    expect(echoOf(await get('/shop/orders')).path).toBe('/orders');
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['/shop/customers/v2/1', {}, 'v2', '/customers/1'],
    ['/shop/customers/v5/1', {}, 'v5', '/customers/v5/1'],
    ['/shop/customers/1', {}, 'v1', '/customers/1'],
    ['/shop/customers/1?v=3', {}, 'v3', '/customers/1'],
    ['/shop/customers/1', { Version: '4' }, 'v4', '/customers/1'],
  ])('a versioned API in the collection: %s %j → %s, backend path %s', async (path, headers, upstream, seen) => {
    const echo = echoOf(await get(path, headers));
    expect(echo.upstream).toBe(upstream);
    expect(echo.path).toBe(seen);
  });
});

describe('versions', () => {
  it.each<[string, Record<string, string>, string, string]>([
    ['/customers/1', {}, 'v1', '/customers/1'],
    ['/customers', {}, 'v1', '/customers'],
    ['/customers/v2/1', {}, 'v2', '/customers/1'],
    ['/customers/v2', {}, 'v2', '/customers'],
    ['/customers/v2x/1', {}, 'v1', '/customers/v2x/1'],
    ['/customers/1?v=3', {}, 'v3', '/customers/1'],
    ['/customers/1?v=4', {}, 'v1', '/customers/1'],
    ['/customers/1', { Version: '4' }, 'v4', '/customers/1'],
    ['/customers/1', { Version: '3' }, 'v1', '/customers/1'],
    ['/customers/v5/1', {}, 'v5', '/customers/v5/1'],
    // The longest prefix wins over conditions at a shorter prefix.
    ['/customers/v2/1?v=3', { Version: '4' }, 'v2', '/customers/1'],
  ])('%s with headers %j → version %s, backend path %s', async (path, headers, upstream, seen) => {
    const echo = echoOf(await get(path, headers));
    expect(echo.upstream).toBe(upstream);
    expect(echo.path).toBe(seen);
  });

  it('without a fallback version, currentVersion serves what no route matches', async () => {
    const echo = echoOf(await get('/things/7'));
    expect(echo.upstream).toBe('t1');
    expect(echo.path).toBe('/things/7');
  });

  it('without a fallback version, a matching route still wins (header, path with strip)', async () => {
    expect(echoOf(await get('/things/7', { 'X-Beta': '1' })).upstream).toBe('t2');
    const stripped = echoOf(await get('/things/t1/7'));
    expect(stripped.upstream).toBe('t1');
    expect(stripped.path).toBe('/things/7');
  });
});

describe('custom domains', () => {
  it.each<[string, string, string]>([
    ['partner.example.com', '/hello', 'partner'],
    ['PARTNER.example.com:8443', '/hello', 'partner'],
    ['partner.example.com.', '/hello', 'partner'],
    ['other.example.com', '/hello', 'public'],
    ['127.0.0.1', '/hello', 'public'],
    ['partner.example.com', '/partner-only/a', 'only'],
  ])('Host %s %s → %s', async (host, path, upstream) => {
    expect(echoOf(await get(path, { Host: host })).upstream).toBe(upstream);
  });

  it.each(['other.example.com', '127.0.0.1', 'partner.example.com.evil.test'])('Host %s does not reach the partner gateway: 404', async (host) => {
    const answer = await get('/partner-only/a', { Host: host });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(errorBody('ERR_GW_ROUTE_NOT_FOUND'));
  });

  it('the partner gateway serves only what its accesses grant', async () => {
    const answer = await get('/api/x', { Host: 'partner.example.com' });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(errorBody('ERR_GW_ROUTE_NOT_FOUND'));
  });
});
