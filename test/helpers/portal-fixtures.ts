// Shared parts of the developer portal's API tests (test/e2e/portal-api-*.test.ts): a control
// plane, gateway and portal started in-process by startServe over a generated directory, real
// backends on 127.0.0.1:0 that serve OpenAPI documents with ETags and count what they receive, and
// a portal client with a cookie jar. Each client connects from its own loopback address
// (127.0.x.y), so the portal's per-address sign-in limit of one test never spills into another.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { IdentityService } from '../../src/identity/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import type { ServeOptions } from '../../src/control/index.js';
import { defer, NS, refusedPort, send, sleep, startGateway, tempDir, writeResources, yaml, type Address, type Answer, type Doc } from './gateway-fixtures.js';

export const PASSWORD = 'correct horse battery staple';
export const SPEC_PATH = '/openapi.json';
export const PARTNERS_PORTAL_HOST = 'partners.example.test';
export const PARTNERS_GATEWAY_HOST = 'api.partners.example.test';
const HUB = 'hub.traefik.io/v1alpha1';

// ---------------------------------------------------------------------------------------------
// Backends that serve an OpenAPI document.

export interface SpecRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export interface SpecUpstream {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** Requests for the document, in order, with the status answered. */
  readonly specRequests: SpecRequest[];
  /** Every other request (an echo of it is the answer). */
  readonly calls: { readonly method: string; readonly path: string; readonly headers: IncomingHttpHeaders }[];
  specHits(): number;
  /** The ETag of the current document. */
  etag(): string;
  /** Replaces the document (and so its ETag). */
  setDocument(document: Doc): void;
}

/**
 * A backend on 127.0.0.1:0: at `specPath` it answers its document (JSON) with an ETag and a
 * Last-Modified, 304 to a matching If-None-Match, or `specStatus` when given; any other path gets
 * 200 and `{upstream, method, path}`.
 */
export async function startSpecUpstream(name: string, options: { document?: Doc; specStatus?: number; specPath?: string } = {}): Promise<SpecUpstream> {
  const specPath = options.specPath ?? SPEC_PATH;
  let document = options.document ?? openApiDocument(name, [`/${name}/{id}`]);
  let body = JSON.stringify(document);
  let etag = etagOf(body);
  const lastModified = new Date(Date.now() - 3_600_000).toUTCString();
  const specRequests: SpecRequest[] = [];
  const calls: SpecUpstream['calls'] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '/';
      const reqPath = url.split('?')[0]!;
      if (reqPath === specPath) {
        let status = options.specStatus ?? (req.headers['if-none-match'] === etag ? 304 : 200);
        if (req.method !== 'GET') status = 405;
        specRequests.push({ path: url, headers: req.headers, status });
        if (status === 200) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), etag, 'last-modified': lastModified });
          res.end(body);
        } else if (status === 304) {
          res.writeHead(304, { etag });
          res.end();
        } else {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end('the document is not available');
        }
        return;
      }
      calls.push({ method: req.method ?? '', path: url, headers: req.headers });
      const echo = JSON.stringify({ upstream: name, method: req.method, path: url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(echo) });
      res.end(echo);
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  defer(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    specRequests,
    calls,
    specHits: () => specRequests.length,
    etag: () => etag,
    setDocument: (next) => {
      document = next;
      body = JSON.stringify(document);
      etag = etagOf(body);
    },
  };
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
}

/** An OpenAPI 3 document whose paths are the backend's own, with a server the portal must replace. */
export function openApiDocument(title: string, paths: readonly string[]): Doc {
  return {
    openapi: '3.0.3',
    info: { title, version: '1.0.0' },
    servers: [{ url: 'http://backend.internal:8080', description: 'inside the cluster' }],
    paths: Object.fromEntries(paths.map((p) => [p, { get: { summary: `read ${p}`, responses: { '200': { description: 'ok' } } } }])),
  };
}

export function swaggerDocument(title: string, paths: readonly string[]): Doc {
  return {
    swagger: '2.0',
    info: { title, version: '1.0.0' },
    host: 'backend.internal:8080',
    basePath: '/',
    schemes: ['https'],
    paths: Object.fromEntries(paths.map((p) => [p, { get: { responses: { '200': { description: 'ok' } } } }])),
  };
}

// ---------------------------------------------------------------------------------------------
// The resources.

interface SetSpec {
  readonly name: string;
  readonly matchers: readonly Doc[];
}

function service(name: string, spec: string | null, sets?: readonly SetSpec[]): Doc {
  return {
    name,
    port: { number: 80 },
    ...(spec === null ? {} : { openApiSpec: { path: spec, ...(sets === undefined ? {} : { operationSets: sets }) } }),
  };
}

function apiDoc(name: string, pathPrefix: string, spec: Doc, labels?: Record<string, string>): Doc {
  return { apiVersion: HUB, kind: 'API', metadata: { name, namespace: NS, ...(labels === undefined ? {} : { labels }) }, spec: { pathPrefix, ...spec } };
}

const readOnly = (prefix: string): SetSpec => ({ name: 'read-only', matchers: [{ pathPrefix: prefix, methods: ['GET', 'HEAD'] }] });
const write = (prefix: string): SetSpec => ({ name: 'write', matchers: [{ pathPrefix: prefix, methods: ['POST', 'PUT', 'DELETE'] }] });

export interface PortalStack {
  readonly gateway: Address;
  readonly admin: Address;
  readonly portal: Address;
  readonly adminToken: string;
  readonly dataDir: string;
  readonly serve: Awaited<ReturnType<typeof startGateway>>['serve'];
  readonly identity: IdentityService;
  readonly up: {
    readonly orders: SpecUpstream;
    readonly customers: SpecUpstream;
    readonly flightsV1: SpecUpstream;
    readonly flightsV2: SpecUpstream;
    readonly secret: SpecUpstream;
    readonly legacy: SpecUpstream;
    readonly nodoc: SpecUpstream;
    readonly broken: SpecUpstream;
    readonly shipments: SpecUpstream;
    readonly fares: SpecUpstream;
  };
  /** Lines the control plane logged (debug and up). */
  readonly logs: string[];
  /** Access log lines of the gateway. */
  readonly accessLogs: string[];
  /** Adds a consumer with a portal password. */
  addUser(email: string, groups: readonly string[], password?: string): Promise<void>;
}

/**
 * Three portals over two gateways:
 * - `airlines` (the first, at `/`) documents `main-gw`: `orders` (operation sets read-only and
 *   write), `customers` in the `crm` collection (`/crm`), the versioned `flights` (v1 at `/v1`,
 *   prefix stripped; v2 the current fallback) for any consumer, `secret` for `admins` only, and
 *   for `staff` also `nodoc` (no document), `broken` (document answers 500), `down` (backend
 *   refuses connections), `legacy` (which `partner`'s operation filter leaves empty) and `fares`
 *   (kept for the cache tests: nothing else fetches its document);
 * - `partners` (customDomains `partners.example.test`) documents `partners-gw`
 *   (customDomains `api.partners.example.test`): `shipments` (a Swagger 2 document) for `partner`;
 * - `staff` (no domain: `/portals/staff/`) documents `main-gw` too.
 * Rate limits: partner 3/1m on orders and customers, staff 100/1m on orders, anyone 10/1s on flights.
 */
export async function startPortalStack(options: { signup?: 'open' | 'invite'; portal?: Partial<Omit<NonNullable<ServeOptions['portal']>, 'listen' | 'signup'>> } = {}): Promise<PortalStack> {
  const up = {
    orders: await startSpecUpstream('orders', { document: openApiDocument('Orders', ['/orders/{id}', '/orders']) }),
    customers: await startSpecUpstream('customers', { document: openApiDocument('Customers', ['/customers/{id}']) }),
    flightsV1: await startSpecUpstream('flights-v1', { document: openApiDocument('Flights v1', ['/flights/{id}']) }),
    flightsV2: await startSpecUpstream('flights-v2', { document: openApiDocument('Flights v2', ['/flights/{id}']) }),
    secret: await startSpecUpstream('secret', { document: openApiDocument('Secret', ['/secret/{id}']) }),
    legacy: await startSpecUpstream('legacy', { document: openApiDocument('Legacy', ['/legacy/{id}']) }),
    nodoc: await startSpecUpstream('nodoc'),
    broken: await startSpecUpstream('broken', { specStatus: 500 }),
    shipments: await startSpecUpstream('shipments', { document: swaggerDocument('Shipments', ['/shipments/{id}']), specPath: '/swagger.json' }),
    fares: await startSpecUpstream('fares', { document: openApiDocument('Fares', ['/fares/{id}']) }),
  };
  const down = await refusedPort();
  const dir = await tempDir('portal-res');
  const dataDir = await tempDir('portal-data');
  await writeResources(dir, [
    ...yaml.backend('orders-svc', [up.orders.port]),
    ...yaml.backend('customers-svc', [up.customers.port]),
    ...yaml.backend('flights-v1-svc', [up.flightsV1.port]),
    ...yaml.backend('flights-v2-svc', [up.flightsV2.port]),
    ...yaml.backend('secret-svc', [up.secret.port]),
    ...yaml.backend('legacy-svc', [up.legacy.port]),
    ...yaml.backend('nodoc-svc', [up.nodoc.port]),
    ...yaml.backend('broken-svc', [up.broken.port]),
    ...yaml.backend('down-svc', [down]),
    ...yaml.backend('shipments-svc', [up.shipments.port]),
    ...yaml.backend('fares-svc', [up.fares.port]),
    apiDoc('orders', '/orders', { service: service('orders-svc', SPEC_PATH, [readOnly('/orders'), write('/orders')]) }),
    apiDoc('customers', '/customers', { service: service('customers-svc', SPEC_PATH, [readOnly('/customers')]) }, { module: 'crm' }),
    apiDoc('flights', '/flights', { currentVersion: 'flights-v2' }),
    {
      apiVersion: HUB,
      kind: 'APIVersion',
      metadata: { name: 'flights-v1', namespace: NS },
      spec: { apiName: 'flights', title: 'Flights v1', release: 'v1.0.0', routes: [{ pathPrefix: '/v1' }], stripPathPrefix: true, service: service('flights-v1-svc', SPEC_PATH) },
    },
    {
      apiVersion: HUB,
      kind: 'APIVersion',
      metadata: { name: 'flights-v2', namespace: NS },
      spec: { apiName: 'flights', title: 'Flights v2', release: 'v2.0.0', service: service('flights-v2-svc', SPEC_PATH) },
    },
    apiDoc('secret', '/secret', { service: service('secret-svc', SPEC_PATH) }),
    apiDoc('legacy', '/legacy', { service: service('legacy-svc', SPEC_PATH, [{ name: 'everything', matchers: [{ pathPrefix: '/legacy' }] }]) }),
    apiDoc('nodoc', '/nodoc', { service: service('nodoc-svc', null) }),
    apiDoc('broken', '/broken', { service: service('broken-svc', SPEC_PATH) }),
    apiDoc('down', '/down', { service: service('down-svc', SPEC_PATH) }),
    apiDoc('shipments', '/shipments', { service: service('shipments-svc', '/swagger.json') }),
    apiDoc('fares', '/fares', { service: service('fares-svc', SPEC_PATH) }),
    yaml.collection({ name: 'crm', pathPrefix: '/crm', selector: { module: 'crm' } }),
    yaml.access({ name: 'partner-access', groups: ['partner'], apis: ['orders', 'legacy'], collections: ['crm'], include: ['read-only'] }),
    yaml.access({ name: 'staff-access', groups: ['staff'], apis: ['orders', 'nodoc', 'broken', 'down', 'legacy', 'fares'], collections: ['crm'] }),
    yaml.access({ name: 'admin-access', groups: ['admins'], apis: ['secret'] }),
    yaml.access({ name: 'everyone', apis: ['flights'] }),
    yaml.access({ name: 'partners-only', groups: ['partner'], apis: ['shipments'] }),
    yaml.gateway('main-gw', ['partner-access', 'staff-access', 'admin-access', 'everyone']),
    yaml.gateway('partners-gw', ['partners-only'], [PARTNERS_GATEWAY_HOST]),
    yaml.rateLimit({ name: 'partner-limit', groups: ['partner'], limit: 3, period: '1m', apis: ['orders', 'customers'] }),
    yaml.rateLimit({ name: 'staff-limit', groups: ['staff'], limit: 100, period: '1m', apis: ['orders'] }),
    yaml.rateLimit({ name: 'flights-limit', limit: 10, period: '1s', apis: ['flights'] }),
    portalDoc('airlines', { title: 'Traefik Airlines', description: 'Every API of the airline.', apiGateway: 'main-gw', ui: { logoUrl: 'https://example.test/logo.png' } }),
    portalDoc('partners', { title: 'Partners', description: 'For partners.', apiGateway: 'partners-gw', customDomains: [PARTNERS_PORTAL_HOST] }),
    portalDoc('staff', { title: 'Staff portal', apiGateway: 'main-gw' }),
  ]);
  const logs: string[] = [];
  const accessLogs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const started = await startGateway({
    dir,
    dataDir,
    logger: createLogger(sink, { level: 'debug' }),
    accessLog: (line) => accessLogs.push(line),
    portal: { listen: { host: '127.0.0.1', port: 0 }, signup: options.signup ?? 'invite', ...options.portal },
  });
  const portal = started.serve.portalAddress;
  if (portal === undefined) throw new Error('startServe started no portal');
  const identity = new IdentityService(started.serve.store.identity);
  return {
    ...started,
    portal,
    dataDir,
    identity,
    up: { ...up },
    logs,
    accessLogs,
    addUser: async (email, groups, password = PASSWORD) => {
      const added = await identity.addUser(email, groups, password);
      if (!added.ok) throw new Error(`addUser ${email}: ${added.message}`);
    },
  };
}

function portalDoc(name: string, spec: Doc): Doc {
  return { apiVersion: HUB, kind: 'APIPortal', metadata: { name }, spec };
}

// ---------------------------------------------------------------------------------------------
// A portal client.

let nextAddress = 10;

/** A loopback source address of its own: 127.0.x.y, never 127.0.0.1. */
export function freshAddress(): string {
  const n = nextAddress++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

export interface PortalRequest {
  readonly method?: string;
  readonly path: string;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is (overrides json). */
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A consumer's client of one portal (by Host, or under `/portals/<name>`), with a cookie jar of
 * one cookie, connecting from its own loopback address. Sends no Origin unless told to, as a
 * script does.
 */
export class PortalClient {
  cookie: string | undefined;
  readonly address: string;
  readonly #portal: Address;
  readonly #host: string | undefined;
  readonly #base: string;

  constructor(portal: Address, options: { host?: string; base?: string; address?: string } = {}) {
    this.#portal = portal;
    this.#host = options.host;
    this.#base = options.base ?? '';
    this.address = options.address ?? freshAddress();
  }

  /** The Host header sent (the portal's address unless a host was given). */
  get host(): string {
    return this.#host ?? `127.0.0.1:${this.#portal.port}`;
  }

  /** The origin a browser on this portal sends. */
  get origin(): string {
    return `http://${this.host}`;
  }

  async request(options: PortalRequest): Promise<Answer & { setCookie: string | undefined }> {
    const headers: Record<string, string> = { host: this.host, ...options.headers };
    if (this.cookie !== undefined && headers.cookie === undefined) headers.cookie = `gitgate_session=${this.cookie}`;
    const body = options.body ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const answer = await send(this.#portal, { method: options.method ?? 'GET', path: `${this.#base}${options.path}`, headers, localAddress: this.address, ...(body === undefined ? {} : { body }) });
    const setCookie = ([] as string[]).concat(answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('gitgate_session='));
    if (setCookie !== undefined) {
      const value = /^gitgate_session=([^;]*)/.exec(setCookie)![1]!;
      this.cookie = value === '' || /max-age=0\b/i.test(setCookie) ? undefined : value;
    }
    return { ...answer, setCookie };
  }

  login(email: string, password = PASSWORD): ReturnType<PortalClient['request']> {
    return this.request({ method: 'POST', path: '/auth/login', json: { email, password } });
  }

  /** Signs in and fails loudly unless it worked. */
  async signIn(email: string, password = PASSWORD): Promise<this> {
    const answer = await this.login(email, password);
    if (answer.status !== 200) throw new Error(`sign-in of ${email} answered ${answer.status} ${answer.text}`);
    return this;
  }

  get(path: string): ReturnType<PortalClient['request']> {
    return this.request({ path });
  }

  async createToken(name: string): Promise<string> {
    const answer = await this.request({ method: 'POST', path: '/api/tokens', json: { name } });
    const token = (answer.json as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') throw new Error(`POST /api/tokens answered ${answer.status} ${answer.text}`);
    return token;
  }
}


// ---------------------------------------------------------------------------------------------
// Keys on the gateway.

export const POLL_MS = 50;

/**
 * Calls `path` on the gateway with `key` every 50 ms until the answer has `status`; returns the
 * time from `since` to that answer, or the time waited (over `giveUpMs`) when it never came.
 */
export async function msUntil(gateway: Address, key: string, status: number, since: number, options: { path?: string; host?: string; giveUpMs?: number } = {}): Promise<{ ms: number; answer: Answer }> {
  for (;;) {
    const answer = await send(gateway, { path: options.path ?? '/flights/1', key, ...(options.host === undefined ? {} : { headers: { host: options.host } }) });
    const ms = performance.now() - since;
    if (answer.status === status || ms > (options.giveUpMs ?? 3000)) return { ms, answer };
    await sleep(POLL_MS);
  }
}

/**
 * A key made through the portal, once the gateway accepts it (on `/flights/1`, open to any
 * consumer, so no test's rate limit on other APIs is used up). Tests other than the one about
 * "at once" use this, so they do not depend on how soon a new key is seen.
 */
export async function usableKey(client: PortalClient, gateway: Address, name: string): Promise<string> {
  const key = await client.createToken(name);
  const accepted = await msUntil(gateway, key, 200, performance.now());
  if (accepted.answer.status !== 200) throw new Error(`the gateway never accepted key ${name}: ${accepted.answer.status} ${accepted.answer.text}`);
  return key;
}

// ---------------------------------------------------------------------------------------------
// Secrets at rest.

/** Every file under `dir` (recursively), with its bytes. */
export async function filesUnder(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push({ file: full, bytes: await readFile(full) });
  }
  return out;
}

/** The files (relative to `dir`) that contain `needle`, as UTF-8 or as UTF-16 (SQLite may use either). */
export function filesContaining(files: readonly { file: string; bytes: Buffer }[], needle: string): string[] {
  const utf8 = Buffer.from(needle, 'utf8');
  const utf16 = Buffer.from(needle, 'utf16le');
  return files.filter(({ bytes }) => bytes.includes(utf8) || bytes.includes(utf16)).map(({ file }) => file);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
