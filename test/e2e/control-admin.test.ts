import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../src/control/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { cleanup, defer, errorBody, send, sleep, startEchoUpstream, tempDir, writeResources, yaml, type Upstream } from '../helpers/gateway-fixtures.js';
import { ADMIN_TOKEN, api, brokenApi, Remote, seedKey, site, startControl, status, type ControlPlane } from '../helpers/git-fixtures.js';

// Issue 4, "Admin API": every /api/v1 endpoint behind the admin token; resources with their lint
// state, gateway processes with their config hash and heartbeat, usage per hour, API,
// operation set, consumer and key.

let a: Upstream;
let remote: Remote;
let key = '';
let control: ControlPlane;
let first = '';

interface ResourceItem {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  file: string;
  line: number;
  errors: number;
  warnings: number;
}

beforeAll(async () => {
  a = await startEchoUpstream('a');
  remote = await Remote.create('admin');
  first = await remote.publish({ 'resources.yaml': site({ '/app': a }) });
  const dataDir = await tempDir('admin-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: 60_000 });
});

afterAll(cleanup);

describe('the admin API', () => {
  const endpoints: [string, string][] = [
    ['GET', '/api/v1/status'],
    ['GET', '/api/v1/deployments'],
    ['GET', '/api/v1/deployments/1'],
    ['GET', '/api/v1/resources'],
    ['GET', '/api/v1/gateways'],
    ['GET', '/api/v1/usage'],
    ['POST', '/api/v1/sync'],
    ['POST', '/api/v1/reload'],
    ['POST', '/api/v1/pin'],
    ['DELETE', '/api/v1/pin'],
    ['POST', '/api/v1/rollback'],
  ];

  it.each(endpoints)('%s %s needs the admin token (401 without it or with another)', async (method, path) => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`, ADMIN_TOKEN]) {
      const answer = await send(control.admin, { method, path, headers: authorization === undefined ? {} : { authorization } });
      expect({ authorization, status: answer.status, body: answer.json }).toEqual({ authorization, status: 401, body: errorBody('ERR_ADMIN_UNAUTHORIZED') });
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 404 for an unknown endpoint and 405 for a wrong method; /healthz and /metrics are open', async () => {
    expect(await api(control.admin, 'GET', '/api/v1/nope')).toMatchObject({ status: 404, json: errorBody('ERR_ADMIN_NOT_FOUND') });
    expect(await api(control.admin, 'PUT', '/api/v1/status')).toMatchObject({ status: 405, json: errorBody('ERR_ADMIN_METHOD') });
    expect(await send(control.admin, { path: '/healthz' })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect((await send(control.admin, { path: '/metrics' })).status).toBe(200);
  });

  it('GET /api/v1/status: version, source, health, applied revision and last attempt', async () => {
    const now = await status(control.admin);
    expect(now).toMatchObject({
      version: '0.0.0-test',
      source: { kind: 'git', url: remote.bare, branch: 'main', path: '' },
      sourceHealth: { health: 'ok', head: first, error: null, consecutiveFailures: 0 },
      pinned: null,
      applied: { revision: first, hash: expect.stringMatching(/\S/), at: expect.any(String), deploymentId: expect.any(Number) },
      lastAttempt: { revision: first, result: 'applied' },
    });
  });

  it('GET /api/v1/resources lists every resource of the newest revision with its place and lint state', async () => {
    const body = (await api(control.admin, 'GET', '/api/v1/resources')).json as { revision: string; items: ResourceItem[]; diagnostics: unknown[] };
    expect(body.revision).toBe(first);
    expect(body.items.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(['API/app', 'APIAccess/everyone', 'APIGateway/main', 'EndpointSlice/svc-app-0', 'Service/svc-app']);
    for (const item of body.items) expect(item).toMatchObject({ file: 'resources.yaml', line: expect.any(Number), errors: 0 });
    expect(body.items.find((r) => r.kind === 'API')).toMatchObject({ apiVersion: 'hub.traefik.io/v1alpha1', namespace: 'apps' });

    // A bad revision: its resources are listed with their errors (what the admin UI shows), though not applied.
    const broken = brokenApi();
    const bad = await remote.publish({ 'broken.yaml': broken.text });
    expect((await api(control.admin, 'POST', '/api/v1/sync')).json).toMatchObject({ result: 'rejected', revision: bad });
    const after = (await api(control.admin, 'GET', '/api/v1/resources')).json as { revision: string; items: ResourceItem[]; diagnostics: { rule: string; file: string; line: number }[] };
    expect(after.revision).toBe(bad);
    expect(after.items.find((r) => r.name === 'broken')).toMatchObject({ kind: 'API', file: 'broken.yaml', line: expect.any(Number), errors: 1 });
    expect(after.items.filter((r) => r.name !== 'broken').every((r) => r.errors === 0)).toBe(true);
    expect(after.diagnostics).toContainEqual(expect.objectContaining({ rule: 'reference', file: 'broken.yaml', line: broken.line }));
    const fixed = await remote.publish({}, { remove: ['broken.yaml'] });
    expect((await api(control.admin, 'POST', '/api/v1/sync')).json).toMatchObject({ result: 'applied', revision: fixed });
  });

  it('GET /api/v1/gateways lists the gateway process with its config hash and a heartbeat', async () => {
    const body = (await api(control.admin, 'GET', '/api/v1/gateways')).json as { items: { id: string; pid: number; configHash: string; lastHeartbeat: string; version: string }[] };
    const applied = (await status(control.admin)).applied!;
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ pid: process.pid, configHash: applied.hash, version: '0.0.0-test', id: expect.stringContaining(String(process.pid)) });
    expect(Date.now() - Date.parse(body.items[0]!.lastHeartbeat)).toBeLessThan(5000);
  });

  it('POST /api/v1/sync answers what it did: unchanged when nothing is new', async () => {
    const answer = await api(control.admin, 'POST', '/api/v1/sync');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'unchanged', revision: await remote.head(), deployment: null, status: { applied: { revision: await remote.head() } } });
  });

  it('GET /api/v1/usage has rows per hour, API, operation set, consumer and key after traffic (the recorder flushes every 10 s)', async () => {
    for (let i = 0; i < 7; i++) expect((await send(control.gateway, { path: `/app/${i}`, key })).status).toBe(200);
    // Not one request per write: the counts reach the store at the next flush.
    await sleep(11_000);
    const body = (await api(control.admin, 'GET', '/api/v1/usage')).json as { from: string; items: { hour: string; api: string; operation: string; email: string; keyName: string; requests: number }[] };
    const rows = body.items.filter((r) => r.api.endsWith('app'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ hour: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/), email: 'tester@example.com', keyName: expect.stringMatching(/^k/), requests: 7 });
    expect(typeof rows[0]!.operation).toBe('string');
  }, 20_000);

  it('POST /api/v1/rollback on a directory source is a 409 (rollback needs git)', async () => {
    const dir = await tempDir('admin-dir');
    await writeResources(dir, [...yaml.backend('svc', [a.port]), yaml.api({ name: 'app', pathPrefix: '/app', service: 'svc' }), yaml.access({ name: 'all', apis: ['app'] }), yaml.gateway('main', ['all'])]);
    const started = await startServe({
      dir,
      listen: { host: '127.0.0.1', port: 0 },
      adminListen: { host: '127.0.0.1', port: 0 },
      dataDir: await tempDir('admin-dir-data'),
      serviceOverrides: new Map(),
      logger: silentLogger,
      env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    if (!started.ok) throw new Error('the directory did not start');
    defer(() => started.serve.close());
    expect(await api(started.serve.adminAddress, 'POST', '/api/v1/rollback', {})).toMatchObject({ status: 409, json: errorBody('ERR_CONTROL_NO_GIT') });
  });
});
