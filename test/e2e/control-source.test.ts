import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import { api, brokenApi, Remote, seedKey, servedBy, site, startControl, status, type ControlPlane, type StatusBody } from '../helpers/git-fixtures.js';

// Issue 4, "Git source": `--path SUBDIR` reads only that folder of each revision, and
// `--include` / `--exclude` globs (relative to the path) choose its files, the same way with a
// git source as with a directory. Diagnostics name files relative to the path.

let a: Upstream;
let b: Upstream;
let remote: Remote;
let key = '';
let filtered: ControlPlane;
let unfiltered: ControlPlane;
let first = '';
const draft = brokenApi('draft');
const notes = brokenApi('notes');

async function sync(to: ControlPlane): Promise<{ result: string; revision: string; status: StatusBody }> {
  return (await api(to.admin, 'POST', '/api/v1/sync')).json as { result: string; revision: string; status: StatusBody };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b')]);
  remote = await Remote.create('source');
  first = await remote.publish({
    'gitops/apis/app.yaml': site({ '/app': a }),
    'gitops/apis/draft-next.yaml': draft.text,
    'gitops/notes/notes.yaml': notes.text,
    'other/broken.yaml': brokenApi('other').text,
    'README.md': '# not a resource\n',
  });
  const dataDir = await tempDir('source-filtered');
  key = await seedKey(dataDir);
  filtered = await startControl({
    url: `file://${remote.bare}`,
    dataDir,
    intervalMs: 60_000,
    repo: { path: 'gitops' },
    serve: { include: ['apis/**'], exclude: ['**/draft-*'] },
  });
  unfiltered = await startControl({ url: remote.bare, dataDir: await tempDir('source-unfiltered'), intervalMs: 60_000, repo: { path: 'gitops/' } });
});

afterAll(cleanup);

describe('--path, --include and --exclude with a git source', () => {
  it('reads only the included files under the path (a file:// URL)', async () => {
    expect(await servedBy(filtered.gateway, '/app/x', key)).toBe('a');
    const now = await status(filtered.admin);
    expect(now).toMatchObject({ source: { kind: 'git', url: `file://${remote.bare}`, path: 'gitops' }, applied: { revision: first } });
    const resources = (await api(filtered.admin, 'GET', '/api/v1/resources')).json as { revision: string; items: { kind: string; name: string; file: string; errors: number }[] };
    expect(resources.revision).toBe(first);
    expect(new Set(resources.items.map((r) => r.file))).toEqual(new Set(['apis/app.yaml']));
    expect(resources.items.every((r) => r.errors === 0)).toBe(true);
  });

  it('without filters, the files under the path are read (and their errors named relative to it); files outside are not', async () => {
    const now = await status(unfiltered.admin);
    expect(now.applied).toBeNull();
    expect(now.lastAttempt).toMatchObject({ revision: first, result: 'rejected', errors: 2 });
    const places = now.lastAttempt!.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.rule} ${d.file}:${d.line}`);
    expect(places.sort()).toEqual([`reference apis/draft-next.yaml:${draft.line}`, `reference notes/notes.yaml:${notes.line}`]);
    expect((await api(unfiltered.admin, 'GET', '/healthz')).status).toBe(503);
  });

  it('a change outside the path or the filters is a new revision with the same configuration', async () => {
    const applied = (await status(filtered.admin)).applied!;
    const sha = await remote.publish({ 'other/broken.yaml': brokenApi('other2').text, 'gitops/apis/draft-next.yaml': brokenApi('draft2').text });
    expect(await sync(filtered)).toMatchObject({ result: 'applied', revision: sha });
    expect((await status(filtered.admin)).applied).toMatchObject({ revision: sha, hash: applied.hash });
  });

  it('a lint error in an included file is rejected, with the file named relative to the path', async () => {
    const broken = brokenApi('inside');
    const sha = await remote.publish({ 'gitops/apis/inside.yaml': broken.text, 'gitops/apis/app.yaml': site({ '/app': b }) });
    expect(await sync(filtered)).toMatchObject({ result: 'rejected', revision: sha });
    expect((await status(filtered.admin)).lastAttempt?.diagnostics).toContainEqual(expect.objectContaining({ rule: 'reference', file: 'apis/inside.yaml', line: broken.line }));
    expect(await servedBy(filtered.gateway, '/app/x', key)).toBe('a');
    const fixed = await remote.publish({}, { remove: ['gitops/apis/inside.yaml'] });
    expect(await sync(filtered)).toMatchObject({ result: 'applied', revision: fixed });
    expect(await servedBy(filtered.gateway, '/app/x', key)).toBe('b');
  });

  it('a revision where the path does not exist (the folder was moved) is rejected, not applied as an empty configuration', async () => {
    await remote.publish({ 'config/apis/app.yaml': site({ '/app': a }) }, { remove: ['gitops'] });
    const outcome = await sync(filtered);
    expect(outcome.result).toBe('rejected');
    expect(outcome.status.lastAttempt?.reason ?? JSON.stringify(outcome.status.lastAttempt?.diagnostics)).toMatch(/gitops/);
    expect(await servedBy(filtered.gateway, '/app/x', key)).toBe('b');
  });
});
