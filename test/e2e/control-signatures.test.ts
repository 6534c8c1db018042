import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, sleep, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import { allDeployments, api, git, Remote, seedKey, servedBy, site, startControl, status, type ControlPlane } from '../helpers/git-fixtures.js';

// Issue 4, "Optional commit signature verification (with allowed keys) refuses unsigned or
// untrusted commits": real SSH keys made by ssh-keygen, commits signed by git itself
// (gpg.format=ssh), an allowed-signers file as `serve --allowed-signers` takes it.

const run = promisify(execFile);
let a: Upstream;
let b: Upstream;
let c: Upstream;
let remote: Remote;
let trusted = '';
let stranger = '';
let key = '';
let control: ControlPlane;
let first = '';

async function sshKey(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@example.com`, '-f', file]);
  return file;
}

async function sync(): Promise<{ result: string; revision: string }> {
  return (await api(control.admin, 'POST', '/api/v1/sync')).json as { result: string; revision: string };
}

beforeAll(async () => {
  [a, b, c] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b'), startEchoUpstream('c')]);
  const keys = await tempDir('signatures-keys');
  [trusted, stranger] = await Promise.all([sshKey(keys, 'trusted'), sshKey(keys, 'stranger')]);
  const allowed = path.join(keys, 'allowed_signers');
  await writeFile(allowed, `trusted@example.com namespaces="git" ${(await readFile(`${trusted}.pub`, 'utf8')).trim()}\n`);
  remote = await Remote.create('signatures');
  first = await remote.publish({ 'resources.yaml': site({ '/app': a }) }, { signingKey: trusted, message: 'signed by trusted' });
  const dataDir = await tempDir('signatures-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: 60_000, repo: { allowedSigners: allowed } });
});

afterAll(cleanup);

describe('--allowed-signers', () => {
  it('applies a commit signed by an allowed key', async () => {
    expect(await git(remote.work, 'cat-file', 'commit', first)).toMatch(/^gpgsig -----BEGIN SSH SIGNATURE-----/m); // git signed it
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect((await status(control.admin)).applied?.revision).toBe(first);
  });

  it.each([
    ['an unsigned commit', undefined, /not signed$/],
    ['a commit signed by another key', 'stranger', /not signed by an allowed key/],
  ] as const)('refuses %s: recorded once with the reason, traffic unchanged', async (_what, signer, reason) => {
    const applied = (await status(control.admin)).applied;
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': b }) }, { message: 'untrusted', ...(signer === undefined ? {} : { signingKey: stranger }) });
    expect(await sync()).toMatchObject({ result: 'rejected', revision: sha });
    const now = await status(control.admin);
    expect(now.applied).toEqual(applied);
    expect(now.lastAttempt).toMatchObject({ revision: sha, result: 'rejected', configHash: null });
    expect(now.lastAttempt?.reason).toMatch(reason);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect(await sync()).toMatchObject({ result: 'unchanged', revision: sha });
    expect((await allDeployments(control.admin)).filter((d) => d.revision === sha)).toHaveLength(1);
  });

  it('applies the next commit signed by the allowed key', async () => {
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': c }) }, { signingKey: trusted, message: 'trusted again' });
    expect(await sync()).toMatchObject({ result: 'applied', revision: sha });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('c');
  });

  it("a rollback through the API does not end in a refused deployment of gitgate's own (unsigned) commit", async () => {
    const answer = await api(control.admin, 'POST', '/api/v1/rollback', { to: first });
    expect(answer.status).toBe(200);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    await sync();
    await sleep(50);
    const now = await status(control.admin);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect(now.lastAttempt?.result).not.toBe('rejected');
  });
});
