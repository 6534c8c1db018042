import { createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../src/control/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { cleanup, defer, errorBody, refusedPort, send, startEchoUpstream, tempDir, yaml, type Upstream } from '../helpers/gateway-fixtures.js';
import {
  ADMIN_TOKEN,
  allDeployments,
  api,
  brokenApi,
  Remote,
  seedKey,
  servedBy,
  site,
  startControl,
  status,
  waitFor,
  waitServed,
  type ControlPlane,
  type DeploymentBody,
} from '../helpers/git-fixtures.js';

// Issue 4, "Drift and restart" and "Deployments": on start the control plane applies the last
// good revision from its store before fetching, so it serves at once even when the remote is
// down; it shows the source as unreachable, retries with backoff and recovers by itself; the
// deployment history, the pin and the usage counts survive a restart.

const INTERVAL_MS = 500;
let a: Upstream;
let b: Upstream;
let remote: Remote;
let dataDir = '';
let key = '';
let control: ControlPlane;
let before: DeploymentBody[] = [];
const commits: Record<string, string> = {};

const READ_ONLY = { name: 'read-only', matchers: [{ pathPrefix: '/ops', methods: ['GET'] }] };
const WRITE = { name: 'write', matchers: [{ pathPrefix: '/ops', methods: ['POST'] }] };

/** /app to `app`, and /ops with two operation sets (for the usage rows). */
function resources(app: Upstream, extra: Record<string, Upstream> = {}): string {
  return site(
    { '/app': app, ...extra },
    {
      extra: [
        ...yaml.backend('ops-svc', [b.port]),
        yaml.api({ name: 'ops', pathPrefix: '/ops', service: 'ops-svc', operationSets: [READ_ONLY, WRITE] }),
        yaml.access({ name: 'ops-users', apis: ['ops'], include: ['read-only', 'write'] }),
      ],
      accesses: ['ops-users'],
    },
  );
}

async function sync(to: ControlPlane): Promise<unknown> {
  return (await api(to.admin, 'POST', '/api/v1/sync')).json;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b')]);
  remote = await Remote.create('restart');
  commits.one = await remote.publish({ 'resources.yaml': resources(a) }, { message: 'one' });
  dataDir = await tempDir('restart-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: 60_000 });
  commits.two = await remote.publish({ 'resources.yaml': resources(b) }, { message: 'two' });
  await sync(control);
  commits.bad = await remote.publish({ 'broken.yaml': brokenApi().text }, { message: 'bad' });
  await sync(control);
  commits.three = await remote.publish({ 'resources.yaml': resources(a) }, { remove: ['broken.yaml'], message: 'three' });
  await sync(control);
  commits.four = await remote.publish({ 'resources.yaml': resources(a, { '/four': b }) }, { message: 'four' });
  await sync(control);
  // Traffic to count: 3 reads and 2 writes on /ops, 4 requests on /app.
  for (let i = 0; i < 3; i++) expect((await send(control.gateway, { path: '/ops/items', key })).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await send(control.gateway, { method: 'POST', path: '/ops/items', key, body: '{}' })).status).toBe(200);
  for (let i = 0; i < 4; i++) expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
  before = await allDeployments(control.admin);
  await control.close();
});

afterAll(cleanup);

describe('restart', () => {
  it('recorded every attempt before the restart', () => {
    expect(before.map((d) => [d.revision, d.result])).toEqual([
      [commits.four, 'applied'],
      [commits.three, 'applied'],
      [commits.bad, 'rejected'],
      [commits.two, 'applied'],
      [commits.one, 'applied'],
    ]);
  });

  it('with the remote unreachable: serves the last good revision from the first request, shows the error, then recovers by itself', async () => {
    await remote.hide();
    control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
    // The first request after start: the last good revision (four).
    expect(await servedBy(control.gateway, '/four/x', key)).toBe('b');
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect((await send(control.admin, { path: '/healthz' })).status).toBe(200);

    const down = await status(control.admin);
    expect(down.applied).toMatchObject({ revision: commits.four });
    expect(down.sourceHealth).toMatchObject({ health: 'unreachable', consecutiveFailures: 1, head: null, lastSuccessAt: null });
    expect(down.sourceHealth.error).toMatch(/git fetch/);
    expect(down.sourceHealth.error).toMatch(/does not appear to be a git repository|not found|No such file/i);
    expect(Date.parse(down.sourceHealth.nextFetchAt ?? '')).toBeGreaterThan(Date.now());
    expect(down.lastAttempt).toMatchObject({ revision: commits.four, result: 'applied' });

    // Still down one backoff later: more failures, nothing recorded, still serving.
    await waitFor('a second failed fetch', async () => ((await status(control.admin)).sourceHealth.consecutiveFailures >= 2 ? true : undefined), 8000);
    expect(await servedBy(control.gateway, '/four/x', key)).toBe('b');

    // Back: the next fetch (within the backoff, at most 4 intervals × 2 here) applies what was pushed meanwhile.
    await remote.restore();
    commits.five = await remote.publish({ 'resources.yaml': resources(b, { '/five': a }) }, { message: 'five' });
    await waitServed(control.gateway, '/five/x', key, 'a', 10_000);
    const up = await status(control.admin);
    expect(up.sourceHealth).toMatchObject({ health: 'ok', head: commits.five, error: null, consecutiveFailures: 0 });
    expect(up.applied?.revision).toBe(commits.five);
  });

  it('keeps the deployment history: same ids and results, newest first, one more for the new commit', async () => {
    const after = await allDeployments(control.admin);
    expect(after.slice(1)).toEqual(before);
    expect(after[0]).toMatchObject({ revision: commits.five, result: 'applied', parent: commits.four, message: 'five' });
    expect(after[0]!.id).toBeGreaterThan(before[0]!.id);
  });

  it('pages the deployments and reads one by id (404 for an unknown id)', async () => {
    const all = await allDeployments(control.admin);
    const page1 = (await api(control.admin, 'GET', '/api/v1/deployments?limit=2&page=1')).json as { page: number; limit: number; total: number; items: DeploymentBody[] };
    const page2 = (await api(control.admin, 'GET', '/api/v1/deployments?limit=2&page=2')).json as typeof page1;
    const page3 = (await api(control.admin, 'GET', '/api/v1/deployments?limit=2&page=3')).json as typeof page1;
    const beyond = (await api(control.admin, 'GET', '/api/v1/deployments?limit=2&page=50')).json as typeof page1;
    expect(page1).toMatchObject({ page: 1, limit: 2, total: all.length });
    expect([...page1.items, ...page2.items, ...page3.items].map((d) => d.id)).toEqual(all.map((d) => d.id));
    expect(beyond).toMatchObject({ page: 50, total: all.length, items: [] });
    const defaults = (await api(control.admin, 'GET', '/api/v1/deployments')).json as typeof page1;
    expect(defaults).toMatchObject({ page: 1, limit: 20, total: all.length });
    // Out-of-range values are clamped, not errors.
    expect((await api(control.admin, 'GET', '/api/v1/deployments?limit=100000&page=0')).json).toMatchObject({ page: 1, limit: 200 });
    // No configuration (it is large) in the list: only its hash.
    expect(page1.items[0]).not.toHaveProperty('config');

    for (const deployment of all) {
      const one = await api(control.admin, 'GET', `/api/v1/deployments/${deployment.id}`);
      expect(one.status).toBe(200);
      expect(one.json).toEqual(deployment);
    }
    const bad = all.find((d) => d.revision === commits.bad)!;
    expect(bad).toMatchObject({ result: 'rejected', errors: 1, configHash: null });
    expect(bad.diagnostics).toContainEqual(expect.objectContaining({ rule: 'reference', file: 'broken.yaml' }));
    for (const id of ['999999', '0', '-1', 'abc', '1.5']) {
      expect(await api(control.admin, 'GET', `/api/v1/deployments/${id}`)).toMatchObject({ status: 404, json: errorBody('ERR_CONTROL_NOT_FOUND') });
    }
  });

  it('counts usage per hour, API, operation set, consumer and key, and keeps it across the restart', async () => {
    const answer = await api(control.admin, 'GET', '/api/v1/usage');
    expect(answer.status).toBe(200);
    const body = answer.json as { from: string; items: { hour: string; api: string; operation: string; email: string; keyName: string; requests: number }[] };
    expect(body.from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    const hour = `${new Date().toISOString().slice(0, 13)}:00:00Z`;
    const previousHour = `${new Date(Date.now() - 3_600_000).toISOString().slice(0, 13)}:00:00Z`;
    const rows = body.items.filter((r) => r.email === 'tester@example.com');
    for (const row of rows) expect([hour, previousHour]).toContain(row.hour);
    const sum = (api: string, operation?: string) => rows.filter((r) => r.api.endsWith(api) && (operation === undefined || r.operation === operation)).reduce((n, r) => n + r.requests, 0);
    expect(sum('ops', 'read-only')).toBe(3);
    expect(sum('ops', 'write')).toBe(2);
    // The requests made since the restart are not flushed yet (every 10 s); the 4 before are.
    expect(sum('app')).toBeGreaterThanOrEqual(4);
    expect(rows.every((r) => r.keyName.length > 0)).toBe(true);
    const opsOnly = (await api(control.admin, 'GET', `/api/v1/usage?api=${encodeURIComponent(rows.find((r) => r.api.endsWith('ops'))!.api)}`)).json as typeof body;
    expect(opsOnly.items.every((r) => r.api.endsWith('ops'))).toBe(true);
    expect(opsOnly.items.length).toBeGreaterThan(0);
    expect(await api(control.admin, 'GET', '/api/v1/usage?from=yesterday')).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_QUERY') });
  });

  it('keeps a pin across a restart', async () => {
    expect((await api(control.admin, 'POST', '/api/v1/pin', { revision: commits.two })).status).toBe(200);
    await control.close();
    control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    expect(await servedBy(control.gateway, '/five/x', key)).toBeUndefined();
    expect(await status(control.admin)).toMatchObject({ pinned: commits.two, applied: { revision: commits.two } });
    expect((await api(control.admin, 'DELETE', '/api/v1/pin')).json).toMatchObject({ pinned: null, applied: { revision: commits.five } });
  });

  it('lists the resources of the applied revision right after a restart (nothing new to build)', async () => {
    await control.close();
    control = await startControl({ url: remote.bare, dataDir, intervalMs: 60_000 });
    const answer = await api(control.admin, 'GET', '/api/v1/resources');
    expect(answer.status).toBe(200);
    const body = answer.json as { revision: string | null; items: { kind: string; name: string }[] };
    expect(body.revision).toBe(commits.five);
    expect(body.items.map((r) => `${r.kind}/${r.name}`)).toContain('API/five');
  });

  it('with a remote that hangs: the gateway serves at once and the admin API answers without waiting for the fetch', async () => {
    await control.close();
    // A "git server" that accepts the connection and answers nothing for 4 s, then hangs up.
    const sockets = new Set<Socket>();
    const hanging = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.resume();
      setTimeout(() => socket.destroy(), 4000).unref();
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    defer(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => hanging.close(resolve));
    });
    const port = (hanging.address() as { port: number }).port;
    const gatewayPort = await refusedPort();
    const adminPort = await refusedPort();
    const started = performance.now();
    const starting = startServe({
      repo: { url: `http://127.0.0.1:${port}/remote.git`, branch: 'main', intervalMs: 60_000 },
      listen: { host: '127.0.0.1', port: gatewayPort },
      adminListen: { host: '127.0.0.1', port: adminPort },
      dataDir,
      serviceOverrides: new Map(),
      logger: silentLogger,
      env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    defer(async () => {
      const result = await starting;
      if (result.ok) await result.serve.close();
    });
    const gateway = { host: '127.0.0.1', port: gatewayPort };
    const admin = { host: '127.0.0.1', port: adminPort };
    const served = await waitFor('the gateway', () => servedBy(gateway, '/five/x', key).catch(() => undefined), 3000, 20);
    expect(served).toBe('a');
    expect(performance.now() - started).toBeLessThan(2000);
    const adminUp = await waitFor('the admin API', async () => (await send(admin, { path: '/healthz' }).catch(() => undefined))?.status, 6000, 50);
    const adminAfter = performance.now() - started;
    const result = await starting;
    expect(result.ok).toBe(true);
    expect(adminUp).toBe(200);
    // The fetch hangs 4 s: an admin API that waits for it answers after ~4 s.
    expect(adminAfter).toBeLessThan(2000);
  });
});
