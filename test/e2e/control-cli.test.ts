import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, cleanup, runCli, startCliGateway, startEchoUpstream, tempDir, type CliGateway, type Upstream } from '../helpers/gateway-fixtures.js';
import { ADMIN_TOKEN, git, Remote, seedKey, servedBy, site, status, waitFor, waitServed } from '../helpers/git-fixtures.js';

// Issue 4 through the real CLI (node bin/gitgate, built in dist/): `gitgate serve --repo`
// with every source flag, the admin token generated on first start, and `gitgate rollback` on a
// working clone, a bare repository and a URL.

const INTERVAL_MS = 500;
/** How long a test waits for something it does not time (generous: the machine may be busy). */
const SETTLE_MS = 5000;
let a: Upstream;
let b: Upstream;
let remote: Remote;
let dataDir = '';
let key = '';
let serve: CliGateway;
const commits: Record<string, string> = {};

const tree = (sha: string) => git(remote.bare, 'rev-parse', `${sha}^{tree}`);

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b')]);
  remote = await Remote.create('cli');
  commits.one = await remote.publish({ 'gitops/apis/app.yaml': site({ '/app': a }), 'gitops/apis/draft-x.yaml': 'not: [valid' }, { message: 'one' });
  dataDir = await tempDir('cli-data');
  key = await seedKey(dataDir);
  serve = await startCliGateway(
    ['--repo', remote.bare, '--branch', 'main', '--path', 'gitops', '--include', 'apis/**', '--include', 'more/**', '--exclude', '**/draft-*', '--interval', `${INTERVAL_MS}ms`, '--data-dir', dataDir],
    { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN },
  );
});

afterAll(cleanup);

describe('gitgate serve --repo', () => {
  it('prints what it follows and serves the head at once', async () => {
    expect(serve.stderr()).toContain(`serving ${remote.bare} (branch main): revision ${commits.one}`);
    expect(serve.stderr()).not.toContain('admin token'); // GITGATE_ADMIN_TOKEN is set
    expect(await servedBy(serve.gateway, '/app/x', key)).toBe('a');
    expect(await status(serve.admin)).toMatchObject({ source: { kind: 'git', url: remote.bare, branch: 'main', path: 'gitops' }, pinned: null, applied: { revision: commits.one } });
  });

  it(`applies a push within --interval (${INTERVAL_MS} ms) + 1 s`, async () => {
    // The resources move to more/, the second --include.
    const sha = await remote.commit({ 'gitops/more/site.yaml': site({ '/app': a, '/more': b }) }, { remove: ['gitops/apis/app.yaml'], message: 'two' });
    const pushed = performance.now();
    await remote.push();
    await waitServed(serve.gateway, '/more/x', key, 'b', INTERVAL_MS + 2000);
    expect(performance.now() - pushed).toBeLessThan(INTERVAL_MS + 1000);
    expect((await status(serve.admin)).applied?.revision).toBe(sha);
    commits.two = sha;
  });

  it('gitgate rollback --repo CLONE --to SHA: a revert commit in the clone and the remote, then served by polling', async () => {
    const run = await runCli(['rollback', '--repo', remote.work, '--to', commits.one!]);
    expect(run.code).toBe(0);
    const revert = run.stdout.trim();
    expect(revert).toMatch(/^[0-9a-f]{40}$/);
    expect(run.stderr).toContain(`rolled main back to ${commits.one!.slice(0, 12)}: commit ${revert.slice(0, 12)} reverts 1 commit; pushed to ${remote.bare}`);
    expect(await remote.head()).toBe(revert);
    expect(await git(remote.work, 'rev-parse', 'HEAD')).toBe(revert);
    expect(await git(remote.bare, 'rev-parse', `${revert}^`)).toBe(commits.two);
    expect(await tree(revert)).toBe(await tree(commits.one!));
    expect(await git(remote.work, 'status', '--porcelain')).toBe('');
    await waitServed(serve.gateway, '/more/x', key, null, SETTLE_MS);
    expect(await servedBy(serve.gateway, '/app/x', key)).toBe('a');
    await waitServed(serve.gateway, '/app/x', key, 'a', SETTLE_MS);
    expect((await status(serve.admin)).applied?.revision).toBe(revert);
    commits.revert = revert;
  });

  it('gitgate rollback refuses a clone with uncommitted changes (exit 1) and changes nothing', async () => {
    await writeFile(path.join(remote.work, 'gitops/apis/app.yaml'), site({ '/app': b }));
    const head = await remote.head();
    const run = await runCli(['rollback', '--repo', remote.work, '--to', commits.one!]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^gitgate: rollback failed: .*uncommitted changes on main: commit or stash them first\n$/);
    expect(run.stdout).toBe('');
    expect(await remote.head()).toBe(head);
    expect(await git(remote.work, 'rev-parse', 'HEAD')).toBe(head);
    await git(remote.work, 'checkout', '--', '.');
  });

  it('gitgate rollback on the bare repository itself (no origin): the parent of the head by default, not pushed', async () => {
    const head = await remote.head();
    const run = await runCli(['rollback', '--repo', remote.bare]);
    expect(run.code).toBe(0);
    const revert = run.stdout.trim();
    expect(run.stderr).toContain('not pushed (no origin remote)');
    expect(await remote.head()).toBe(revert);
    expect(await tree(revert)).toBe(await tree(`${head}^`));
    await waitServed(serve.gateway, '/more/x', key, 'b', SETTLE_MS);
  });

  it('gitgate rollback --repo file://URL works through a temporary mirror', async () => {
    const head = await remote.head();
    const run = await runCli(['rollback', '--repo', `file://${remote.bare}`, '--to', commits.one!]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`pushed to file://${remote.bare}`);
    const revert = run.stdout.trim();
    expect(await remote.head()).toBe(revert);
    expect(await git(remote.bare, 'rev-parse', `${revert}^`)).toBe(head);
    expect(await tree(revert)).toBe(await tree(commits.one!));
    await waitServed(serve.gateway, '/more/x', key, null, SETTLE_MS);
  });

  it('gitgate rollback to a revision that is not an ancestor of the branch fails with exit 1', async () => {
    const head = await remote.head();
    const run = await runCli(['rollback', '--repo', remote.bare, '--to', '0123456789abcdef0123456789abcdef01234567']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^gitgate: rollback failed: /);
    expect(await remote.head()).toBe(head);
  });

  it('refuses bad flags with a usage error (exit 2)', async () => {
    expect(await runCli(['serve', '--listen', '127.0.0.1:0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--repo URL_OR_PATH or --dir DIR') });
    expect(await runCli(['serve', '--repo', remote.bare, '--interval', '5ms'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--interval "5ms"') });
  });

  it('stops on SIGTERM with exit 0', async () => {
    expect(await serve.stop()).toBe(0);
  });
});

describe('the admin token', () => {
  it('is generated on first start, printed once, stored 0600 in the data directory, and kept across restarts', async () => {
    const fresh = await tempDir('cli-token');
    const first = await startCliGateway(['--repo', remote.bare, '--path', 'gitops', '--exclude', '**/draft-*', '--data-dir', fresh]);
    // The line comes right after the addresses, possibly in a later chunk.
    const printed = await waitFor('the admin token line', async () => /admin token \(shown once, stored in (\S+)\): (gga_\S+)\n/.exec(first.stderr()) ?? undefined, 3000);
    expect(printed).not.toBeNull();
    const [, file, token] = printed!;
    expect(file).toBe(path.join(fresh, 'admin-token'));
    expect((await stat(file!)).mode & 0o777).toBe(0o600);
    const ok = await send(first.admin, { path: '/api/v1/status', headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await send(first.admin, { path: '/api/v1/status', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(401);
    expect((await send(first.admin, { path: '/api/v1/status' })).status).toBe(401);
    expect(await first.stop()).toBe(0);

    const second = await startCliGateway(['--repo', remote.bare, '--path', 'gitops', '--exclude', '**/draft-*', '--data-dir', fresh]);
    expect((await send(second.admin, { path: '/healthz' })).status).toBe(200);
    expect(second.stderr()).not.toContain('admin token');
    expect((await send(second.admin, { path: '/api/v1/status', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await second.stop();
  });
});

