import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  createConsumers,
  echoOf,
  errorBody,
  refusedPort,
  send,
  startEchoUpstream,
  startGateway,
  startHangingUpstream,
  tempDir,
  writeResources,
  yaml,
  type Address,
  type ConsumerKey,
  type Upstream,
} from '../helpers/gateway-fixtures.js';

// Issue 3, acceptance: header set/delete, what reaches the backend (never the key; forwarding and
// identity headers set by the gateway only), ExternalName, EndpointSlice round robin, a Service
// override, timeouts to a hanging upstream and a refused connection.

const HEADERS_TIMEOUT_MS = 300;
const up: Record<string, Upstream> = {};
let gw: Address;
let hanging: Awaited<ReturnType<typeof startHangingUpstream>>;
let who: Record<'alice', ConsumerKey>;

beforeAll(async () => {
  for (const name of ['hdr', 'ver', 'ext-ip', 'ext-localhost', 'rr-a', 'rr-b', 'ovr', 'named']) up[name] = await startEchoUpstream(name);
  hanging = await startHangingUpstream();
  const dead = await refusedPort();
  const dir = await tempDir('proxy-res');
  const dataDir = await tempDir('proxy-data');
  await writeResources(dir, [
    ...yaml.backend('hdr-app', [up.hdr!.port]),
    yaml.api({
      name: 'hdr',
      pathPrefix: '/hdr',
      service: 'hdr-app',
      headers: {
        request: { set: { 'X-Added': 'yes', 'X-Override': 'gateway' }, delete: ['X-Drop-Me'] },
        response: { set: { 'X-Resp-Added': '1', 'X-Upstream': 'rewritten' }, delete: ['X-Powered-By'] },
      },
    }),
    ...yaml.backend('ver-app', [up.ver!.port]),
    yaml.api({ name: 'ver', pathPrefix: '/ver', currentVersion: 'one' }),
    yaml.version({
      name: 'one',
      api: 'ver',
      service: 'ver-app',
      headers: { request: { set: { 'X-Version': 'one' }, delete: ['X-Drop-Me'] }, response: { set: { 'X-Served-By': 'one' }, delete: ['X-Remove-Me'] } },
    }),
    yaml.externalName('ext-ip-app', '127.0.0.1', up['ext-ip']!.port),
    yaml.api({ name: 'ext-ip', pathPrefix: '/ext-ip', service: 'ext-ip-app', servicePort: up['ext-ip']!.port }),
    yaml.externalName('ext-localhost-app', 'localhost', up['ext-localhost']!.port),
    yaml.api({ name: 'ext-localhost', pathPrefix: '/ext-localhost', service: 'ext-localhost-app', servicePort: up['ext-localhost']!.port }),
    ...yaml.backend('rr-app', [up['rr-a']!.port, up['rr-b']!.port]),
    // An endpoint that is not ready gets no traffic.
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'rr-app-not-ready', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'rr-app' } },
      addressType: 'IPv4',
      ports: [{ port: dead }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: false } }],
    },
    // A named Service port: the slice port with the same name is used, not the other one.
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'named-app', namespace: 'apps' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'named-app-x', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'named-app' } },
      addressType: 'IPv4',
      ports: [
        { name: 'metrics', port: dead },
        { name: 'http', port: up.named!.port },
      ],
      endpoints: [{ addresses: ['127.0.0.1'] }],
    },
    yaml.api({ name: 'named', pathPrefix: '/named', service: 'named-app' }),
    yaml.api({ name: 'rr', pathPrefix: '/rr', service: 'rr-app' }),
    yaml.bareService('ovr-app'),
    yaml.api({ name: 'ovr', pathPrefix: '/ovr', service: 'ovr-app' }),
    ...yaml.backend('hang-app', [hanging.port]),
    yaml.api({ name: 'hang', pathPrefix: '/hang', service: 'hang-app' }),
    ...yaml.backend('dead-app', [dead]),
    yaml.api({ name: 'dead', pathPrefix: '/dead', service: 'dead-app' }),
    yaml.access({ name: 'everyone', allApis: true }),
    yaml.gateway('main', ['everyone']),
  ]);
  who = await createConsumers(dataDir, { alice: ['team-b', 'team-a'] });
  ({ gateway: gw } = await startGateway({
    dir,
    dataDir,
    // Overrides apply only to Services resolved by cluster DNS: EndpointSlices and ExternalName
    // come first (shared/spec/resources.md), so the rr-app and ext-ip-app entries must be ignored.
    serviceOverrides: new Map([
      ['apps/ovr-app', `${up.ovr!.url}/base`],
      ['apps/rr-app', up.ovr!.url],
      ['apps/ext-ip-app', up.ovr!.url],
    ]),
    upstream: { headersTimeoutMs: HEADERS_TIMEOUT_MS, connectTimeoutMs: 1000 },
  }));
});

afterAll(cleanup);

describe('headers', () => {
  const spoofed = {
    'X-Drop-Me': 'please',
    'X-Override': 'client',
    'X-Kept': 'kept',
    'X-Forwarded-For': '6.6.6.6',
    'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Prefix': '/admin',
    Forwarded: 'for=6.6.6.6;proto=https',
    'X-Real-IP': '6.6.6.6',
    'X-Original-URL': '/admin',
    'X-Rewrite-URL': '/admin',
    'X-HTTP-Method-Override': 'DELETE',
    'X-Gitgate-Email': 'mallory@example.com',
    'X-Gitgate-Token-Name': 'stolen',
    'X-Gitgate-Groups': 'admin',
    'X-Gitgate-Anything': 'x',
  };

  it('sets and deletes request headers as the API says; forwarding and identity headers come from the gateway only', async () => {
    const answer = await send(gw, { path: '/hdr/x', key: who.alice.key, headers: { ...spoofed, Host: 'api.example.com:8080' } });
    const { headers } = echoOf(answer);
    expect(headers['x-added']).toBe('yes');
    expect(headers['x-override']).toBe('gateway');
    expect(headers['x-drop-me']).toBeUndefined();
    expect(headers['x-kept']).toBe('kept');
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('api.example.com:8080');
    for (const name of ['x-forwarded-port', 'x-forwarded-prefix', 'forwarded', 'x-real-ip', 'x-original-url', 'x-rewrite-url', 'x-http-method-override', 'x-gitgate-anything']) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers['x-gitgate-email']).toBe('alice@example.com');
    expect(headers['x-gitgate-token-name']).toBe('main');
    expect(String(headers['x-gitgate-groups']).split(',').sort()).toEqual(['team-a', 'team-b']);
  });

  it("never forwards the consumer's key, in any header or in the body", async () => {
    const answer = await send(gw, { method: 'POST', path: '/hdr/x?q=1', key: who.alice.key, body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    const echo = echoOf(answer);
    expect(echo.headers.authorization).toBeUndefined();
    expect(answer.text).not.toContain(who.alice.key);
    expect(answer.text).not.toContain(who.alice.key.slice(3, 20));
    expect(echo.body).toBe('{"a":1}');
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/json');
  });

  it('the key listed in Connection is still read, and still not forwarded', async () => {
    const echo = echoOf(await send(gw, { path: '/hdr/x', key: who.alice.key, headers: { Connection: 'authorization, x-kept' , 'X-Kept': 'k' } }));
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers['x-kept']).toBeUndefined();
  });

  it('sets and deletes response headers as the API says', async () => {
    const answer = await send(gw, { path: '/hdr/x', key: who.alice.key });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-resp-added']).toBe('1');
    expect(answer.headers['x-upstream']).toBe('rewritten');
    expect(answer.headers['x-powered-by']).toBeUndefined();
    expect(answer.headers['x-remove-me']).toBe('yes');
  });

  it("applies a version's own headers spec", async () => {
    const answer = await send(gw, { path: '/ver/x', key: who.alice.key, headers: { 'X-Drop-Me': 'please' } });
    const echo = echoOf(answer);
    expect(echo.upstream).toBe('ver');
    expect(echo.headers['x-version']).toBe('one');
    expect(echo.headers['x-drop-me']).toBeUndefined();
    expect(answer.headers['x-served-by']).toBe('one');
    expect(answer.headers['x-remove-me']).toBeUndefined();
    expect(answer.headers['x-powered-by']).toBe('echo');
  });
});

describe('backends', () => {
  it('an ExternalName Service goes to externalName at the port (127.0.0.1)', async () => {
    const echo = echoOf(await send(gw, { path: '/ext-ip/a?b=c', key: who.alice.key }));
    expect(echo.upstream).toBe('ext-ip');
    expect(echo.url).toBe('/ext-ip/a?b=c');
  });

  it('an ExternalName Service goes to externalName at the port (localhost)', async () => {
    const echo = echoOf(await send(gw, { path: '/ext-localhost/a', key: who.alice.key }));
    expect(echo.upstream).toBe('ext-localhost');
    expect(echo.path).toBe('/ext-localhost/a');
  });

  it('balances round robin across the ready addresses of its EndpointSlices', async () => {
    const a = up['rr-a']!.hits();
    const b = up['rr-b']!.hits();
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(echoOf(await send(gw, { path: `/rr/${i}`, key: who.alice.key })).upstream);
    expect(up['rr-a']!.hits() - a).toBe(10);
    expect(up['rr-b']!.hits() - b).toBe(10);
    // Strictly alternating, whichever one starts.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it("uses the slice port named like the Service's port", async () => {
    expect(echoOf(await send(gw, { path: '/named/x', key: who.alice.key })).upstream).toBe('named');
  });

  it('sends a Service with no slices to its --service-override URL, base path included', async () => {
    const before = up.ovr!.hits();
    const echo = echoOf(await send(gw, { path: '/ovr/items?x=1', key: who.alice.key }));
    expect(echo.upstream).toBe('ovr');
    expect(echo.url).toBe('/base/ovr/items?x=1');
    // Only this request reached the override target: the rr and ext-ip overrides were ignored.
    expect(up.ovr!.hits() - before).toBe(1);
    expect(up.ovr!.seen.every((seen) => seen.url.startsWith('/base/ovr'))).toBe(true);
  });
});

describe('upstream failures', () => {
  it('an upstream that accepts and never answers: 504 ERR_GW_UPSTREAM_TIMEOUT after the headers timeout', async () => {
    const started = performance.now();
    const answer = await send(gw, { path: '/hang/x', key: who.alice.key });
    const elapsed = performance.now() - started;
    expect({ status: answer.status, body: answer.json }).toEqual({ status: 504, body: errorBody('ERR_GW_UPSTREAM_TIMEOUT') });
    expect(hanging.connections()).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    // undici checks its socket timeouts on a coarse clock (about 1 s): 300 ms answers after ~1 s.
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS + 2500);
  });

  it('a POST to a hanging upstream times out the same way (no retry of a non-idempotent request)', async () => {
    const before = hanging.connections();
    const answer = await send(gw, { method: 'POST', path: '/hang/x', key: who.alice.key, body: 'x' });
    expect({ status: answer.status, body: answer.json }).toEqual({ status: 504, body: errorBody('ERR_GW_UPSTREAM_TIMEOUT') });
    expect(hanging.connections() - before).toBeLessThanOrEqual(1);
  });

  it('a refused connection: 502 ERR_GW_UPSTREAM_UNAVAILABLE', async () => {
    const answer = await send(gw, { path: '/dead/x', key: who.alice.key });
    expect({ status: answer.status, body: answer.json }).toEqual({ status: 502, body: errorBody('ERR_GW_UPSTREAM_UNAVAILABLE') });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('the gateway keeps serving after upstream failures', async () => {
    expect(echoOf(await send(gw, { path: '/hdr/x', key: who.alice.key })).upstream).toBe('hdr');
  });
});
