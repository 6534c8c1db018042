import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, errorBody, send, type Answer } from '../helpers/gateway-fixtures.js';
import {
  openApiDocument,
  PARTNERS_GATEWAY_HOST,
  PARTNERS_PORTAL_HOST,
  PortalClient,
  startPortalStack,
  usableKey,
  type PortalStack,
} from '../helpers/portal-fixtures.js';

// Issue 6, "Portal API": GET /api/ (the catalog: only what the consumer's groups may call through
// the portal's gateway, with the consumer's effective rate limit, versions and collections) and
// the OpenAPI documents (servers rewritten to the gateway, cached with revalidation, 404 without
// a document, 502 when fetching fails, 404 for what the consumer cannot call); portals told apart
// by Host (customDomains) and by /portals/<name>/.

let s: PortalStack;
let gw = '';
const clients: Record<'partner' | 'staff' | 'both' | 'admin' | 'nobody', PortalClient> = {} as never;

beforeAll(async () => {
  s = await startPortalStack();
  gw = `http://127.0.0.1:${s.gateway.port}`;
  const groups = { partner: ['partner'], staff: ['staff'], both: ['partner', 'staff'], admin: ['admins'], nobody: [] } as const;
  for (const [name, list] of Object.entries(groups)) {
    await s.addUser(`${name}@example.com`, list);
    clients[name as keyof typeof groups] = await new PortalClient(s.portal).signIn(`${name}@example.com`);
  }
});

afterAll(cleanup);

interface CatalogApi {
  name: string;
  specLink: string;
  pathPrefix: string;
  currentVersion?: string;
  versions?: unknown[];
  rateLimit?: { limit: number; period: string };
}
interface Catalog {
  title: string;
  description: string;
  logoUrl?: string;
  jwtAuth: boolean;
  apis: CatalogApi[];
  collections: { name: string; pathPrefix?: string; apis: CatalogApi[] }[];
}

async function catalogOf(client: PortalClient): Promise<Catalog> {
  const answer = await client.get('/api/');
  expect(answer.status).toBe(200);
  return answer.json as Catalog;
}

const names = (apis: readonly CatalogApi[]) => apis.map((a) => a.name);

const flights: CatalogApi = {
  name: 'flights',
  specLink: '/apis/flights@apps',
  pathPrefix: '/flights',
  currentVersion: 'flights-v2',
  versions: [
    { semverVersion: '1.0.0', name: 'flights-v1', title: 'Flights v1', release: 'v1.0.0' },
    { semverVersion: '2.0.0', name: 'flights-v2', title: 'Flights v2', release: 'v2.0.0' },
  ],
  rateLimit: { limit: 10, period: '1s' },
};

describe('GET /api/: the catalog', () => {
  it('answers 401 without a session', async () => {
    const anonymous = new PortalClient(s.portal);
    for (const path of ['/api/', '/api', '/api/apis/orders@apps']) {
      const answer = await anonymous.get(path);
      expect({ path, status: answer.status, body: answer.json }).toEqual({ path, status: 401, body: errorBody('ERR_PORTAL_UNAUTHENTICATED') });
    }
  });

  it("partner: the portal's title, description and logo; the APIs its groups may call, with versions, collections and its own rate limits", async () => {
    const catalog = await catalogOf(clients.partner);
    // `legacy` is left out here: the test below is about it.
    expect({ ...catalog, apis: catalog.apis.filter((a) => a.name !== 'legacy') }).toEqual({
      title: 'Traefik Airlines',
      description: 'Every API of the airline.',
      logoUrl: 'https://example.test/logo.png',
      jwtAuth: false,
      apis: [flights, { name: 'orders', specLink: '/apis/orders@apps', pathPrefix: '/orders', rateLimit: { limit: 3, period: '1m' } }],
      collections: [
        {
          name: 'crm',
          pathPrefix: '/crm',
          apis: [{ name: 'customers', specLink: '/collections/crm/apis/customers@apps', pathPrefix: '/customers', rateLimit: { limit: 3, period: '1m' } }],
        },
      ],
    });
  });

  it("an API of which the group's operation filter leaves no operation is neither listed nor documented (the gateway refuses every call)", async () => {
    // partner-access names `legacy` with operationFilter include [read-only], which legacy does
    // not define: the gateway answers 403 to everything the partner sends to it.
    const key = await usableKey(clients.partner, s.gateway, 'legacy-probe');
    for (const [method, path] of [['GET', '/legacy/1'], ['POST', '/legacy'], ['DELETE', '/legacy/1']] as const) {
      expect((await send(s.gateway, { method, path, key })).status).toBe(403);
    }
    expect(names((await catalogOf(clients.partner)).apis)).not.toContain('legacy');
    const before = s.up.legacy.specHits();
    expect(await clients.partner.get('/api/apis/legacy@apps')).toMatchObject({ status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    expect(s.up.legacy.specHits()).toBe(before);
  });

  it('staff: every operation of its APIs (with or without a document), the collection, and its own limits', async () => {
    const catalog = await catalogOf(clients.staff);
    expect(names(catalog.apis)).toEqual(['broken', 'down', 'fares', 'flights', 'legacy', 'nodoc', 'orders']);
    expect(catalog.apis.find((a) => a.name === 'orders')).toEqual({ name: 'orders', specLink: '/apis/orders@apps', pathPrefix: '/orders', rateLimit: { limit: 100, period: '1m' } });
    expect(catalog.apis.find((a) => a.name === 'nodoc')).toEqual({ name: 'nodoc', specLink: '/apis/nodoc@apps', pathPrefix: '/nodoc' });
    expect(catalog.apis.find((a) => a.name === 'flights')).toEqual(flights);
    // No limit names staff on customers, and no anyGroups limit applies: no rateLimit.
    expect(catalog.collections).toEqual([{ name: 'crm', pathPrefix: '/crm', apis: [{ name: 'customers', specLink: '/collections/crm/apis/customers@apps', pathPrefix: '/customers' }] }]);
  });

  it('a consumer in two groups gets the union of what they may call and the more favourable limit', async () => {
    const catalog = await catalogOf(clients.both);
    expect(names(catalog.apis)).toEqual(['broken', 'down', 'fares', 'flights', 'legacy', 'nodoc', 'orders']);
    expect(catalog.apis.find((a) => a.name === 'orders')?.rateLimit).toEqual({ limit: 100, period: '1m' });
  });

  it('admins see only their API and what any consumer may call; a consumer without groups only the latter', async () => {
    const admin = await catalogOf(clients.admin);
    expect(admin.apis).toEqual([flights, { name: 'secret', specLink: '/apis/secret@apps', pathPrefix: '/secret' }]);
    expect(admin.collections).toEqual([]);
    const nobody = await catalogOf(clients.nobody);
    expect(nobody.apis).toEqual([flights]);
    expect(nobody.collections).toEqual([]);
  });

  it('listing the catalog fetches no document', async () => {
    const hits = () => Object.values(s.up).reduce((sum, up) => sum + up.specHits(), 0);
    const before = hits();
    for (const client of Object.values(clients)) await catalogOf(client);
    expect(hits()).toBe(before);
  });

  it("follows the consumer's groups as an administrator changes them (no new sign-in)", async () => {
    await s.addUser('moving@example.com', ['partner']);
    const client = await new PortalClient(s.portal).signIn('moving@example.com');
    expect(names((await catalogOf(client)).apis)).toContain('orders');
    const changed = await send(s.admin, {
      method: 'PUT',
      path: `/api/v1/users/${encodeURIComponent('moving@example.com')}/groups`,
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ groups: ['admins'] }),
    });
    expect(changed.status).toBe(200);
    const catalog = await catalogOf(client);
    expect(names(catalog.apis)).toEqual(['flights', 'secret']);
    expect(catalog.collections).toEqual([]);
  });
});

describe('portals told apart', () => {
  it('by Host (customDomains, with or without a port): the partners portal documents its own gateway', async () => {
    for (const host of [PARTNERS_PORTAL_HOST, `${PARTNERS_PORTAL_HOST}:8443`, PARTNERS_PORTAL_HOST.toUpperCase()]) {
      const partner = await new PortalClient(s.portal, { host }).signIn('partner@example.com');
      const catalog = await catalogOf(partner);
      expect({ host, catalog }).toEqual({
        host,
        catalog: { title: 'Partners', description: 'For partners.', jwtAuth: false, apis: [{ name: 'shipments', specLink: '/apis/shipments@apps', pathPrefix: '/shipments' }], collections: [] },
      });
    }
    const staff = await new PortalClient(s.portal, { host: PARTNERS_PORTAL_HOST }).signIn('staff@example.com');
    expect(await catalogOf(staff)).toMatchObject({ title: 'Partners', apis: [], collections: [] });
  });

  it('by /portals/<name>/: sign-in, session cookie path and catalog of that portal', async () => {
    const staff = new PortalClient(s.portal, { base: '/portals/staff' });
    const login = await staff.login('staff@example.com');
    expect(login.status).toBe(200);
    expect(login.setCookie).toMatch(/;\s*Path=\/portals\/staff\/(;|$)/);
    expect(await staff.get('/auth/me')).toMatchObject({ status: 200, json: { email: 'staff@example.com', groups: ['staff'] } });
    const catalog = await catalogOf(staff);
    expect(catalog.title).toBe('Staff portal');
    expect(catalog.description).toBe('');
    expect(catalog.logoUrl).toBeUndefined();
    expect(names(catalog.apis)).toEqual(names((await catalogOf(clients.staff)).apis));
    const spec = await staff.get('/api/apis/orders@apps');
    expect(spec.status).toBe(200);
    expect((spec.json as { servers: unknown }).servers).toEqual([{ url: gw, description: expect.any(String) }]);
  });

  it('the first portal without a domain answers at / and for any other Host; an unknown /portals/<name>/ is not found', async () => {
    const other = await new PortalClient(s.portal, { host: 'elsewhere.example.test' }).signIn('partner@example.com');
    expect((await catalogOf(other)).title).toBe('Traefik Airlines');
    expect(await other.get('/portals/nope/api/')).toMatchObject({ status: 404 });
  });

  it("a portal documents only its gateway's APIs: shipments is not in the airlines portal", async () => {
    expect(await clients.partner.get('/api/apis/shipments@apps')).toMatchObject({ status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    const before = s.up.orders.specHits();
    const partners = await new PortalClient(s.portal, { host: PARTNERS_PORTAL_HOST }).signIn('partner@example.com');
    expect(await partners.get('/api/apis/orders@apps')).toMatchObject({ status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    expect(s.up.orders.specHits()).toBe(before);
  });
});

describe('GET /api/apis/:name@:namespace: the OpenAPI documents', () => {
  function serversOf(answer: Answer): unknown {
    expect(answer.status).toBe(200);
    return (answer.json as { servers?: unknown }).servers;
  }

  it("rewrites servers to the gateway's URL and the way in (direct, collection), keeping the backend's paths", async () => {
    const orders = await clients.partner.get('/api/apis/orders@apps');
    expect(orders.headers['content-type']).toMatch(/^application\/json/);
    expect(orders.json).toEqual({ ...openApiDocument('Orders', ['/orders/{id}', '/orders']), servers: [{ url: gw, description: expect.any(String) }] });
    expect(serversOf(await clients.partner.get('/api/collections/crm/apis/customers@apps'))).toEqual([{ url: `${gw}/crm`, description: expect.any(String) }]);
  });

  it("a versioned API: the current version's document at the API, each version's under /versions/<name>", async () => {
    const current = await clients.partner.get('/api/apis/flights@apps');
    expect((current.json as { info: { title: string } }).info.title).toBe('Flights v2');
    expect(serversOf(current)).toEqual([{ url: gw, description: expect.any(String) }]);
    const v2 = await clients.partner.get('/api/apis/flights@apps/versions/flights-v2');
    expect(v2.json).toEqual(current.json);
    const v1 = await clients.partner.get('/api/apis/flights@apps/versions/flights-v1');
    expect((v1.json as { info: { title: string } }).info.title).toBe('Flights v1');
    for (const path of ['/api/apis/flights@apps/versions/flights-v3', '/api/apis/orders@apps/versions/flights-v1']) {
      expect({ path, ...(await clients.partner.get(path)) }).toMatchObject({ path, status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    }
  });

  // What the docs' try-it console does: the server URL plus the document's first path, sent to
  // the gateway (with the server's Host) with one of the consumer's keys, must reach the backend
  // at the path the backend itself documents (whether the portal rewrote servers only, or paths too).
  it.each([
    ['orders (direct)', undefined, '/api/apis/orders@apps', '/orders/{id}', 'orders'],
    ['customers (collection /crm)', undefined, '/api/collections/crm/apis/customers@apps', '/customers/{id}', 'customers'],
    ['flights (current version)', undefined, '/api/apis/flights@apps', '/flights/{id}', 'flights-v2'],
    ['flights v1 (route /v1, prefix stripped)', undefined, '/api/apis/flights@apps/versions/flights-v1', '/flights/{id}', 'flights-v1'],
    ['shipments (Swagger 2, gateway with a custom domain)', PARTNERS_PORTAL_HOST, '/api/apis/shipments@apps', '/shipments/{id}', 'shipments'],
  ] as const)('try-it through the document of %s reaches the backend at its own path', async (_label, host, specPath, backendPath, upstream) => {
    const client = host === undefined ? clients.partner : await new PortalClient(s.portal, { host }).signIn('partner@example.com');
    const doc = (await client.get(specPath)).json as { servers?: { url: string }[]; swagger?: string; host?: string; basePath?: string; schemes?: string[]; paths: Record<string, unknown> };
    const docPath = Object.keys(doc.paths)[0]!;
    const base = doc.swagger === undefined ? doc.servers![0]!.url : `${doc.schemes![0]}://${doc.host}${doc.basePath}`;
    const url = new URL(base);
    // The gateway listens on 127.0.0.1: a custom domain is reached there with its Host header.
    if (url.hostname === '127.0.0.1') expect(url.port).toBe(String(s.gateway.port));
    const key = await usableKey(clients.partner, s.gateway, `try-${upstream}-${host ?? 'root'}`);
    const target = `${url.pathname.replace(/\/+$/, '')}${docPath.replace('{id}', '42')}`;
    const answer = await send(s.gateway, { path: target, key, headers: { host: url.host } });
    expect({ target, host: url.host, status: answer.status, body: answer.json }).toEqual({
      target,
      host: url.host,
      status: 200,
      body: { upstream, method: 'GET', path: backendPath.replace('{id}', '42') },
    });
    if (host !== undefined) expect(url.hostname).toBe(PARTNERS_GATEWAY_HOST);
  });

  it('Swagger 2 documents get host, basePath and schemes of the gateway', async () => {
    const partners = await new PortalClient(s.portal, { host: PARTNERS_PORTAL_HOST }).signIn('partner@example.com');
    const doc = (await partners.get('/api/apis/shipments@apps')).json as Record<string, unknown>;
    expect(doc.swagger).toBe('2.0');
    expect(doc.schemes).toEqual(['http']);
    expect(doc.basePath).toBe('/');
    expect(doc).not.toHaveProperty('servers');
  });

  it('404 ERR_PORTAL_NO_SPEC for an API without a document', async () => {
    expect(await clients.staff.get('/api/apis/nodoc@apps')).toMatchObject({ status: 404, json: errorBody('ERR_PORTAL_NO_SPEC') });
    expect(s.up.nodoc.calls).toEqual([]);
  });

  it('502 ERR_PORTAL_SPEC_FETCH when the backend answers 500, or refuses the connection', async () => {
    const before = s.up.broken.specHits();
    const broken = await clients.staff.get('/api/apis/broken@apps');
    expect(broken).toMatchObject({ status: 502, json: errorBody('ERR_PORTAL_SPEC_FETCH') });
    expect(s.up.broken.specHits()).toBe(before + 1);
    expect(s.up.broken.specRequests.at(-1)).toMatchObject({ path: '/openapi.json', status: 500 });
    expect(await clients.staff.get('/api/apis/down@apps')).toMatchObject({ status: 502, json: errorBody('ERR_PORTAL_SPEC_FETCH') });
    // A failure is not cached as a document: the next request asks the backend again.
    await clients.staff.get('/api/apis/broken@apps');
    expect(s.up.broken.specHits()).toBe(before + 2);
  });

  it("404 for an API the consumer's groups cannot call, whichever way it is asked for, and its backend never hears of it", async () => {
    const unknown = await clients.partner.get('/api/apis/no-such-api@apps');
    expect(unknown).toMatchObject({ status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    for (const path of [
      '/api/apis/secret@apps',
      '/api/apis/secret@apps/versions/v1',
      '/api/collections/crm/apis/secret@apps',
      '/api/collections/crm/apis/secret@apps/versions/v1',
      '/api/apis/%73ecret@apps',
    ]) {
      const answer = await clients.partner.get(path);
      // Indistinguishable from an API that does not exist.
      expect({ path, status: answer.status, body: answer.text }).toEqual({ path, status: 404, body: unknown.text });
    }
    // Nor through a way in the consumer was not given: customers only through crm, orders only direct.
    for (const path of ['/api/apis/customers@apps', '/api/collections/crm/apis/orders@apps']) {
      expect({ path, ...(await clients.partner.get(path)) }).toMatchObject({ path, status: 404, json: errorBody('ERR_PORTAL_NOT_FOUND') });
    }
    expect(s.up.secret.specHits()).toBe(0);
    // The document exists: an admin gets it.
    expect((await clients.admin.get('/api/apis/secret@apps')).status).toBe(200);
    expect(s.up.secret.specHits()).toBe(1);
  });
});

describe('document cache', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a second fetch within a minute does not reach the backend, whichever consumer or portal asks', async () => {
    const fares = s.up.fares;
    expect(fares.specHits()).toBe(0);
    const first = await clients.staff.get('/api/apis/fares@apps');
    expect(first.status).toBe(200);
    expect(fares.specHits()).toBe(1);
    const staffPortal = await new PortalClient(s.portal, { base: '/portals/staff' }).signIn('both@example.com');
    for (const client of [clients.staff, clients.both, staffPortal]) expect((await client.get('/api/apis/fares@apps')).json).toEqual(first.json);
    expect(fares.specHits()).toBe(1);
    // Each portal puts its own servers in: the cached copy is not changed by one of them.
    expect((first.json as { servers: unknown }).servers).toEqual([{ url: gw, description: expect.any(String) }]);
  });

  // The freshness window (a minute) cannot be shortened through startServe's options, so the
  // clock the SpecFetcher reads (Date.now) is moved forward instead.
  it('after the freshness window it revalidates with If-None-Match / If-Modified-Since: 304 keeps the document, a new ETag replaces it', async () => {
    const fares = s.up.fares;
    if (fares.specHits() === 0) await clients.staff.get('/api/apis/fares@apps');
    const hits = fares.specHits();
    const realNow = Date.now.bind(Date);
    let offset = 61_000;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);

    const revalidated = await clients.staff.get('/api/apis/fares@apps');
    expect(revalidated.status).toBe(200);
    expect((revalidated.json as { info: { title: string } }).info.title).toBe('Fares');
    expect(fares.specHits()).toBe(hits + 1);
    const conditional = fares.specRequests.at(-1)!;
    expect(conditional.headers['if-none-match']).toBe(fares.etag());
    expect(conditional.headers['if-modified-since']).toEqual(expect.any(String));
    expect(conditional.status).toBe(304);
    // Fresh again after the 304.
    await clients.staff.get('/api/apis/fares@apps');
    expect(fares.specHits()).toBe(hits + 1);

    fares.setDocument(openApiDocument('Fares 2', ['/fares/{id}', '/fares']));
    expect((await clients.staff.get('/api/apis/fares@apps')).json).toMatchObject({ info: { title: 'Fares' } });
    offset = 122_000;
    const changed = await clients.staff.get('/api/apis/fares@apps');
    expect(changed.json).toEqual({ ...openApiDocument('Fares 2', ['/fares/{id}', '/fares']), servers: [{ url: gw, description: expect.any(String) }] });
    expect(fares.specHits()).toBe(hits + 2);
    expect(fares.specRequests.at(-1)!.status).toBe(200);
  });
});
