import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  cleanup,
  createConsumers,
  defer,
  echoOf,
  errorBody,
  send,
  sleep,
  startEchoUpstream,
  startGateway,
  tempDir,
  writeResources,
  yaml,
  type Doc,
  type InProcessGateway,
  type Upstream,
} from '../helpers/gateway-fixtures.js';

// Issue 3, acceptance: a config swap during traffic with no failed request. DESIGN.md: "An apply
// is one pointer swap; in-flight requests finish on the config they started", and a revision
// with a lint error is never applied.

const CLIENTS = 20;
const TRAFFIC_MS = 2000;
const ADMIN_TOKEN = 'gga_swap-test-admin-token';
let a: Upstream;
let b: Upstream;
let dir = '';
let key = '';
let running: InProcessGateway;

/** Two valid configurations: /swap served by upstream a or b (different Services and pools). */
function config(which: 'a' | 'b'): Doc[] {
  const upstream = which === 'a' ? a : b;
  return [
    ...yaml.backend(`app-${which}`, [upstream.port]),
    yaml.api({ name: 'swap', pathPrefix: '/swap', service: `app-${which}`, headers: { request: { set: { 'X-Config': which } } } }),
    yaml.access({ name: 'everyone', apis: ['swap'] }),
    yaml.gateway('main', ['everyone']),
  ];
}

beforeAll(async () => {
  a = await startEchoUpstream('a');
  b = await startEchoUpstream('b');
  dir = await tempDir('swap-res');
  const dataDir = await tempDir('swap-data');
  await writeResources(dir, config('a'));
  ({ swapper: { key } } = await createConsumers(dataDir, { swapper: ['users'] }));
  running = await startGateway({ dir, dataDir, env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
});

afterAll(cleanup);

function reload() {
  return admin(running.admin, ADMIN_TOKEN, 'POST', '/api/v1/reload');
}

describe('config swap', () => {
  it(`${CLIENTS} clients looping for ${TRAFFIC_MS} ms through several reloads: no failed request, both configs seen`, async () => {
    expect(running.adminToken).toBe(ADMIN_TOKEN);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    defer(() => agent.destroy());
    const statuses = new Map<number, number>();
    const seen = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const answer = await send(running.gateway, { path: '/swap/x', key, agent });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status !== 200) failures.push(`${answer.status} ${answer.text}`);
          else {
            const echo = echoOf(answer);
            // A request sees one whole config: its backend and its headers agree.
            if (echo.headers['x-config'] !== echo.upstream) failures.push(`backend ${echo.upstream} got X-Config ${String(echo.headers['x-config'])}`);
            seen.set(echo.upstream, (seen.get(echo.upstream) ?? 0) + 1);
          }
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    const reloads: { status: number; result: unknown }[] = [];
    const started = performance.now();
    // Four swaps (a→b→a→b→a), spread over the traffic; traffic runs at least TRAFFIC_MS.
    for (let i = 1; i <= 4; i++) {
      await sleep(TRAFFIC_MS / 6);
      await writeResources(dir, config(i % 2 === 1 ? 'b' : 'a'));
      const answer = await reload();
      reloads.push({ status: answer.status, result: (answer.json as { result?: unknown } | undefined)?.result });
    }
    await sleep(Math.max(TRAFFIC_MS / 6, TRAFFIC_MS - (performance.now() - started)));
    stop = true;
    await Promise.all(clients);

    expect(failures.slice(0, 5)).toEqual([]);
    expect(reloads).toEqual(reloads.map(() => ({ status: 200, result: 'applied' })));
    expect([...statuses.keys()]).toEqual([200]);
    expect(seen.get('a') ?? 0).toBeGreaterThan(0);
    expect(seen.get('b') ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeGreaterThan(CLIENTS * 5);
  });

  it('a request in flight during a swap finishes on the config it started with', async () => {
    const slow = await startEchoUpstream('slow', { delayMs: 600 });
    const slowConfig: Doc[] = [
      ...yaml.backend('app-slow', [slow.port]),
      yaml.api({ name: 'swap', pathPrefix: '/swap', service: 'app-slow', headers: { request: { set: { 'X-Config': 'slow' } } } }),
      yaml.access({ name: 'everyone', apis: ['swap'] }),
      yaml.gateway('main', ['everyone']),
    ];
    await writeResources(dir, slowConfig);
    expect((await reload()).json).toMatchObject({ result: 'applied' });
    const inFlight = send(running.gateway, { path: '/swap/slow', key });
    while (slow.hits() === 0) await sleep(10);
    // The new config no longer uses the slow backend: its connection pool is released.
    await writeResources(dir, config('a'));
    expect((await reload()).json).toMatchObject({ result: 'applied' });
    expect(echoOf(await send(running.gateway, { path: '/swap/x', key })).upstream).toBe('a');
    const answer = await inFlight;
    expect(echoOf(answer)).toMatchObject({ upstream: 'slow', path: '/swap/slow' });
    expect(echoOf(answer).headers['x-config']).toBe('slow');
  });

  it('a reload of an unchanged directory is 200 "unchanged"', async () => {
    const answer = await reload();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'unchanged' });
  });

  it('a reload with a lint error is 422 with its diagnostics, and traffic keeps the last good config', async () => {
    await writeResources(dir, config('b'));
    expect((await reload()).status).toBe(200);
    const before = await admin(running.admin, ADMIN_TOKEN, 'GET', '/api/v1/status');
    expect(echoOf(await send(running.gateway, { path: '/swap/x', key })).upstream).toBe('b');

    // The API names a Service that does not exist: a `reference` error.
    const broken = config('a').map((doc) => (doc.kind === 'API' ? { ...doc, spec: { ...(doc.spec as Doc), service: { name: 'no-such-app', port: { number: 80 } } } } : doc));
    await writeResources(dir, broken);
    const answer = await reload();
    expect(answer.status).toBe(422);
    const body = answer.json as { result: string; diagnostics: { rule: string; message: string; severity: string; file: string; line: number }[] };
    expect(body.result).toBe('rejected');
    const errors = body.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toContainEqual(expect.objectContaining({ rule: 'reference', file: 'resources.yaml', message: expect.stringContaining('no-such-app') }));
    expect(errors.every((d) => d.line > 0)).toBe(true);

    for (let i = 0; i < 5; i++) {
      const echo = echoOf(await send(running.gateway, { path: '/swap/x', key }));
      expect(echo.upstream).toBe('b');
      expect(echo.headers['x-config']).toBe('b');
    }
    const after = await admin(running.admin, ADMIN_TOKEN, 'GET', '/api/v1/status');
    expect((after.json as { applied: unknown }).applied).toEqual((before.json as { applied: unknown }).applied);
    expect((after.json as { lastAttempt: { result: string } }).lastAttempt.result).toBe('rejected');
  });

  it('a reload without the admin token is 401 and changes nothing', async () => {
    await writeResources(dir, config('a'));
    const answer = await admin(running.admin, 'wrong-token', 'POST', '/api/v1/reload');
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(errorBody('ERR_ADMIN_UNAUTHORIZED'));
    expect(echoOf(await send(running.gateway, { path: '/swap/x', key })).upstream).toBe('b');
  });
});
