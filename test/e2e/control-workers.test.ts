import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanup, defer, ensureBuilt, refusedPort, ROOT, startCliGateway, startEchoUpstream, tempDir, type CliGateway, type Upstream } from '../helpers/gateway-fixtures.js';
import { api, Remote, seedKey, servedBy, site, status, waitFor, waitServed } from '../helpers/git-fixtures.js';

// Issue 4, "every gateway process with id, name, version, config hash, last heartbeat" and
// "checks that each gateway runs the config hash it should", with `gitgate serve --workers 2`
// (the real CLI: the workers are node:cluster processes started from dist/).

let a: Upstream;
let b: Upstream;
let remote: Remote;
let key = '';
let serve: CliGateway;

interface GatewayItem {
  id: string;
  pid: number;
  configHash: string | null;
  lastHeartbeat: string;
  version: string;
}

async function gateways(): Promise<GatewayItem[]> {
  return ((await api(serve.admin, 'GET', '/api/v1/gateways')).json as { items: GatewayItem[] }).items;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b')]);
  remote = await Remote.create('workers');
  await remote.publish({ 'resources.yaml': site({ '/app': a }) });
  const dataDir = await tempDir('workers-data');
  key = await seedKey(dataDir);
  // A fixed port: with --listen :0 the second worker fails to start (see the last test).
  const port = await refusedPort();
  serve = await startCliGateway(['--repo', remote.bare, '--interval', '60s', '--workers', '2', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    GITGATE_ADMIN_TOKEN: 'gga_control-e2e-admin-token',
  });
}, 60_000);

afterAll(cleanup);

describe('gitgate serve --workers 2', () => {
  it('GET /api/v1/gateways lists both workers with the applied config hash and a fresh heartbeat', async () => {
    const hash = (await status(serve.admin)).applied!.hash;
    const items = await gateways();
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item).toMatchObject({ id: expect.stringMatching(/\S/), pid: expect.any(Number), configHash: hash, version: expect.stringMatching(/\S/) });
      expect(item.pid).not.toBe(serve.child.pid);
      expect(Date.now() - Date.parse(item.lastHeartbeat)).toBeLessThan(5000);
    }
    expect(new Set(items.map((i) => i.pid)).size).toBe(2);
    expect(await servedBy(serve.gateway, '/app/x', key)).toBe('a');
  });

  it('a worker that dies is replaced, and the new one runs the applied configuration', async () => {
    const hash = (await status(serve.admin)).applied!.hash;
    const [victim] = await gateways();
    process.kill(victim!.pid, 'SIGKILL');
    const replaced = await waitFor(
      'a replacement worker',
      async () => {
        const items = await gateways();
        return items.length === 2 && !items.some((i) => i.pid === victim!.pid) && items.every((i) => i.configHash === hash) ? items : undefined;
      },
      10_000,
      100,
    );
    expect(replaced).toHaveLength(2);
    for (let i = 0; i < 10; i++) expect(await servedBy(serve.gateway, '/app/x', key)).toBe('a');
  });

  it('a worker that dies while a new revision is being applied does not wedge the control plane', async () => {
    const [stuck] = await gateways();
    process.kill(stuck!.pid, 'SIGSTOP'); // it will not answer the new configuration...
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': b }) });
    const syncing = api(serve.admin, 'POST', '/api/v1/sync');
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(stuck!.pid, 'SIGKILL'); // ...and dies before it does
    const answer = await Promise.race([syncing, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000))]);
    expect(answer?.status).toBe(200);
    expect(answer?.json).toMatchObject({ result: 'applied', revision: sha });
    await waitServed(serve.gateway, '/app/x', key, 'b', 5000);
    // And the control plane still follows: status answers, the next sync works.
    expect((await api(serve.admin, 'POST', '/api/v1/sync')).json).toMatchObject({ result: 'unchanged' });
  }, 30_000);

  it('starts with --listen 127.0.0.1:0 (the workers share the port the first one got)', async () => {
    await ensureBuilt();
    const child = spawn(process.execPath, [BIN, 'serve', '--repo', remote.bare, '--workers', '2', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--portal-listen', '127.0.0.1:0', '--data-dir', await tempDir('workers-port0')], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', GITGATE_ADMIN_TOKEN: 'x' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    defer(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    // Either it prints its addresses, or a worker fails to bind (then it would retry forever).
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 15_000);
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/^\s*gateway\s+http:/m.test(stderr)) resolve('listening');
        else if (stderr.includes('EADDRINUSE')) resolve('EADDRINUSE');
        else return;
        clearTimeout(timer);
      });
    });
    expect(outcome, stderr.slice(0, 600)).toBe('listening');
  }, 30_000);
});
