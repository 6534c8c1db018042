import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  cleanup,
  createConsumers,
  echoOf,
  errorBody,
  runCli,
  samples,
  send,
  sleep,
  startCliGateway,
  startEchoUpstream,
  tempDir,
  writeResources,
  yaml,
  type CliGateway,
  type ConsumerKey,
  type Doc,
  type Upstream,
} from '../helpers/gateway-fixtures.js';

// `gitgate serve` as a user runs it from the README: the real CLI as a child process on
// 127.0.0.1:0, keys made through the CLI, the admin API and /metrics on the admin listener
// (DESIGN.md, Telemetry: api_name, api_version_name, code, method, email, token_name, revision).

const ADMIN_TOKEN = 'gga_cli-test-admin-token';
const up: Record<string, Upstream> = {};
let dir = '';
let dataDir = '';
let who: Record<'alice' | 'bob', ConsumerKey>;
let serve: CliGateway;

function resources(extraHeader: string): Doc[] {
  return [
    ...yaml.backend('echo-app', [up.echo!.port]),
    yaml.api({ name: 'echo', pathPrefix: '/echo', service: 'echo-app', headers: { request: { set: { 'X-Revision-Mark': extraHeader } } } }),
    yaml.bareService('legacy-app'),
    yaml.api({ name: 'legacy', pathPrefix: '/legacy', service: 'legacy-app' }),
    ...yaml.backend('v2-app', [up.v2!.port]),
    yaml.api({ name: 'customers', pathPrefix: '/customers', currentVersion: 'v2' }),
    yaml.version({ name: 'v2', api: 'customers', service: 'v2-app', routes: [{ pathPrefix: '/v2' }], stripPathPrefix: true }),
    yaml.access({ name: 'members', groups: ['member'], apis: ['echo', 'legacy', 'customers'] }),
    yaml.gateway('main', ['members']),
  ];
}

beforeAll(async () => {
  for (const name of ['echo', 'v2', 'legacy']) up[name] = await startEchoUpstream(name);
  dir = await tempDir('cli-res');
  dataDir = await tempDir('cli-data');
  await writeResources(dir, resources('first'));
  who = await createConsumers(dataDir, { alice: ['member'], bob: ['outsider'] });
  serve = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--service-override', `apps/legacy-app=${up.legacy!.url}`], { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN });
});

afterAll(cleanup);

describe('gitgate serve (CLI)', () => {
  it('reports the ports it really bound when asked for port 0', async () => {
    expect(serve.gateway.port).toBeGreaterThan(0);
    expect(serve.admin.port).toBeGreaterThan(0);
    expect(serve.admin.port).not.toBe(serve.gateway.port);
    expect(serve.gateway.host).toBe('127.0.0.1');
    const health = await send(serve.admin, { path: '/healthz' });
    expect(health.status).toBe(200);
    // GITGATE_ADMIN_TOKEN was given: no token is generated nor printed.
    expect(serve.stderr()).not.toContain('admin token');
  });

  it('proxies with a key made through the CLI, and follows --service-override', async () => {
    const echo = echoOf(await send(serve.gateway, { path: '/echo/hello?x=1', key: who.alice.key }));
    expect(echo).toMatchObject({ upstream: 'echo', url: '/echo/hello?x=1' });
    expect(echo.headers['x-revision-mark']).toBe('first');
    expect(echo.headers['x-gitgate-email']).toBe('alice@example.com');
    expect(echoOf(await send(serve.gateway, { path: '/legacy/a', key: who.alice.key })).upstream).toBe('legacy');
  });

  it('counts requests in gitgate_requests_total with every label, on the admin listener', async () => {
    const status = await admin(serve.admin, ADMIN_TOKEN, 'GET', '/api/v1/status');
    expect(status.status).toBe(200);
    const revision = (status.json as { applied: { revision: string } }).applied.revision;
    expect(revision).toMatch(/\S/);

    for (let i = 0; i < 3; i++) expect((await send(serve.gateway, { path: '/echo/m', key: who.alice.key })).status).toBe(200);
    expect((await send(serve.gateway, { method: 'POST', path: '/customers/v2/m', key: who.alice.key, body: '{}' })).status).toBe(200);
    expect((await send(serve.gateway, { path: '/echo/m' })).status).toBe(401);
    expect((await send(serve.gateway, { path: '/echo/m', key: who.bob.key })).status).toBe(403);

    const metrics = await send(serve.admin, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const requests = samples(metrics.text, 'gitgate_requests_total');
    expect(requests.length).toBeGreaterThan(0);
    for (const sample of requests) {
      expect(Object.keys(sample.labels)).toEqual(expect.arrayContaining(['api_name', 'api_version_name', 'code', 'method', 'email', 'token_name', 'revision']));
      // Bounded values: never a raw path.
      expect(Object.values(sample.labels).join(' ')).not.toContain('/echo/m');
    }
    const find = (labels: Record<string, string>) => requests.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    const ok = find({ code: '200', method: 'GET', email: 'alice@example.com', token_name: 'main', revision });
    expect(ok?.labels.api_name).toMatch(/^(apps\/)?echo$/);
    expect(ok?.labels.api_version_name).toBe('');
    expect(ok?.value).toBeGreaterThanOrEqual(3);

    const versioned = find({ code: '200', method: 'POST', api_version_name: 'v2', revision });
    expect(versioned?.labels.api_name).toMatch(/^(apps\/)?customers$/);
    expect(versioned?.value).toBe(1);

    const unauthenticated = find({ code: '401', method: 'GET', email: '', token_name: '', revision });
    expect(unauthenticated?.labels.api_name).toMatch(/^(apps\/)?echo$/);
    expect(unauthenticated?.value).toBeGreaterThanOrEqual(1);

    expect(find({ code: '403', email: 'bob@example.com', token_name: 'main', revision })?.value).toBe(1);
    // The duration histogram carries the same labels.
    expect(metrics.text).toMatch(/gitgate_request_duration_seconds_bucket\{[^}]*api_name="(apps\/)?echo"/);
  });

  it('reloads the directory on SIGHUP, and the metrics follow the new revision', async () => {
    await writeResources(dir, resources('second'));
    serve.child.kill('SIGHUP');
    const deadline = performance.now() + 5000;
    while (!/reload: applied/.test(serve.stderr()) && performance.now() < deadline) await sleep(50);
    expect(serve.stderr()).toMatch(/reload: applied/);
    expect(echoOf(await send(serve.gateway, { path: '/echo/m', key: who.alice.key })).headers['x-revision-mark']).toBe('second');

    const status = await admin(serve.admin, ADMIN_TOKEN, 'GET', '/api/v1/status');
    const revision = (status.json as { applied: { revision: string } }).applied.revision;
    const metrics = await send(serve.admin, { path: '/metrics' });
    expect(samples(metrics.text, 'gitgate_requests_total').some((s) => s.labels.revision === revision && s.labels.code === '200')).toBe(true);
  });

  it('reloads on POST /api/v1/reload with the admin token from GITGATE_ADMIN_TOKEN', async () => {
    await writeResources(dir, resources('third'));
    expect((await admin(serve.admin, 'not-the-token', 'POST', '/api/v1/reload')).json).toEqual(errorBody('ERR_ADMIN_UNAUTHORIZED'));
    const answer = await admin(serve.admin, ADMIN_TOKEN, 'POST', '/api/v1/reload');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'applied' });
    expect(echoOf(await send(serve.gateway, { path: '/echo/m', key: who.alice.key })).headers['x-revision-mark']).toBe('third');
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await serve.stop()).toBe(0);
  });

  it('starts again on the same data directory and the unchanged directory, and serves it', async () => {
    // The revision it serves is the one the store says was attempted last: a restart deploys it anyway.
    const again = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--service-override', `apps/legacy-app=${up.legacy!.url}`], { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(echoOf(await send(again.gateway, { path: '/echo/again', key: who.alice.key })).headers['x-revision-mark']).toBe('third');
    expect(await again.stop()).toBe(0);
  });

  it.each<[string, string[]]>([
    ['--listen', []],
    ['--admin-listen', []],
    ['--portal-listen', []],
    ['--listen', ['--workers', '2']],
  ])('an address in use on %s %j is one line and exit 2, not a stack trace', async (flag, extra) => {
    const holder = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = `127.0.0.1:${(holder.address() as { port: number }).port}`;
    const listeners: Record<string, string> = { '--listen': '127.0.0.1:0', '--admin-listen': '127.0.0.1:0', '--portal-listen': '127.0.0.1:0', [flag]: busy };
    const run = await runCli(['serve', '--dir', dir, '--data-dir', dataDir, ...extra, ...Object.entries(listeners).flat()]);
    holder.close();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`gitgate: cannot listen on ${busy}: the address is already in use`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('a --dir that is not a directory, or a --data-dir that cannot hold the database, is one line and exit 2', async () => {
    const missing = await runCli(['serve', '--dir', `${dir}/absent`, '--data-dir', dataDir]);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 2, stderr: `gitgate: --dir ${dir}/absent: no such directory\n` });
    const file = `${dir}/resources.yaml`;
    for (const args of [['serve', '--dir', dir, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--no-portal'], ['users', 'list'], ['keys', 'list']]) {
      const run = await runCli([...args, '--data-dir', `${file}/data`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`gitgate: the data directory ${file}/data cannot be used: not a directory, mkdir '${file}/data'\n`);
    }
  });

  it('refuses to start on a directory with lint errors, printing the diagnostics', async () => {
    const bad = await tempDir('cli-bad');
    await writeResources(bad, [yaml.api({ name: 'orphan', pathPrefix: '/orphan', service: 'missing-app' }), yaml.access({ name: 'all', apis: ['orphan'] }), yaml.gateway('main', ['all'])]);
    const run = await runCli(['serve', '--dir', bad, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--portal-listen', '127.0.0.1:0', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/resources\.yaml:\d+:\d+/);
    expect(run.stderr).toContain('missing-app');
    expect(run.stderr).toMatch(/not serving/);
  });
});
