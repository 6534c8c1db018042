import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, errorBody, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import {
  allDeployments,
  api,
  brokenApi,
  git,
  Remote,
  seedKey,
  servedBy,
  site,
  startControl,
  status,
  type ControlPlane,
} from '../helpers/git-fixtures.js';

// Issue 4, "Rollback, the GitOps way": POST /api/v1/rollback applies the target at once and
// pushes a commit on top of the branch whose tree is the target's; when the remote cannot be
// written, the target is pinned and the answer says so; DELETE /api/v1/pin follows again.
// Fetches are triggered with POST /api/v1/sync (the interval is long), so no test waits a poll.

const INTERVAL_MS = 60_000;
let a: Upstream;
let b: Upstream;
let c: Upstream;
let remote: Remote;
let key = '';
let control: ControlPlane;
const commits: Record<string, string> = {};

interface RollbackBody {
  ok: true;
  target: string;
  deploymentId: number;
  revertCommit: string | null;
  pinned: boolean;
  message: string;
}

async function sync(): Promise<{ result: string; revision: string | null }> {
  const answer = await api(control.admin, 'POST', '/api/v1/sync');
  expect(answer.status).toBe(200);
  return answer.json as { result: string; revision: string | null };
}

const tree = (sha: string) => git(remote.bare, 'rev-parse', `${sha}^{tree}`);

beforeAll(async () => {
  [a, b, c] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b'), startEchoUpstream('c')]);
  remote = await Remote.create('rollback');
  commits.one = await remote.publish({ 'resources.yaml': site({ '/app': a }) }, { message: 'one: /app to a' });
  const dataDir = await tempDir('rollback-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
  commits.two = await remote.publish({ 'resources.yaml': site({ '/app': b, '/two': b }) }, { message: 'two: /app to b' });
  expect(await sync()).toMatchObject({ result: 'applied', revision: commits.two });
});

afterAll(cleanup);

describe('POST /api/v1/rollback', () => {
  it('with {"to"}: serves the target at once and pushes a revert commit whose tree is the target', async () => {
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    const answer = await api(control.admin, 'POST', '/api/v1/rollback', { to: commits.one!.slice(0, 8) });
    expect(answer.status).toBe(200);
    const body = answer.json as RollbackBody;
    expect(body).toMatchObject({ ok: true, target: commits.one, pinned: false, revertCommit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(body.message).toContain('pushed');
    // The old routes, at once (before any fetch).
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect(await servedBy(control.gateway, '/two/x', key)).toBeUndefined();

    // The remote: one new commit on top of two, with one's tree.
    const head = await remote.head();
    expect(head).toBe(body.revertCommit);
    expect(await git(remote.bare, 'rev-parse', `${head}^`)).toBe(commits.two);
    expect(await tree(head)).toBe(await tree(commits.one!));
    expect(await git(remote.bare, 'log', '-1', '--format=%s', head)).toBe(`Roll back to ${commits.one!.slice(0, 12)}`);
    expect(await git(remote.bare, 'log', '--format=%H', 'main')).toBe([head, commits.two, commits.one].join('\n'));

    const record = (await api(control.admin, 'GET', `/api/v1/deployments/${body.deploymentId}`)).json;
    expect(record).toMatchObject({ revision: commits.one, result: 'rolled-back', trigger: 'rollback' });
    expect((await status(control.admin)).applied).toMatchObject({ revision: commits.one, deploymentId: body.deploymentId });

    // The next fetch sees the revert commit: applied, same routes; the clone can pull it.
    expect(await sync()).toMatchObject({ result: 'applied', revision: head });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    await remote.pull();
    expect(await git(remote.work, 'rev-parse', 'HEAD')).toBe(head);
    commits.revert = head;
  });

  it('without "to": returns to the previous good configuration (undo the last change)', async () => {
    const answer = await api(control.admin, 'POST', '/api/v1/rollback', {});
    expect(answer.status).toBe(200);
    const body = answer.json as RollbackBody;
    expect(body).toMatchObject({ ok: true, target: commits.two, pinned: false });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    expect(await tree(await remote.head())).toBe(await tree(commits.two!));
    await sync();
    await remote.pull();
  });

  it('refuses an unknown revision (404), a target with lint errors (422), a bad body (400), and changes nothing', async () => {
    const bad = await remote.publish({ 'broken.yaml': brokenApi().text }, { message: 'bad' });
    expect(await sync()).toMatchObject({ result: 'rejected', revision: bad });
    const good = await remote.publish({}, { remove: ['broken.yaml'], message: 'good again' });
    expect(await sync()).toMatchObject({ result: 'applied', revision: good });
    const before = await status(control.admin);
    const head = await remote.head();

    expect(await api(control.admin, 'POST', '/api/v1/rollback', { to: 'abcdef0123456789abcdef0123456789abcdef01' })).toMatchObject({
      status: 404,
      json: errorBody('ERR_CONTROL_UNKNOWN_REVISION'),
    });
    expect(await api(control.admin, 'POST', '/api/v1/rollback', { to: bad })).toMatchObject({ status: 422, json: errorBody('ERR_CONTROL_TARGET_REJECTED') });
    expect(await api(control.admin, 'POST', '/api/v1/rollback', { to: 'HEAD~1' })).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    expect(await api(control.admin, 'POST', '/api/v1/rollback', { to: 42 })).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });

    expect(await remote.head()).toBe(head);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    expect((await status(control.admin)).applied).toEqual(before.applied);
    expect((await status(control.admin)).pinned).toBeNull();
    // A refused rollback is not a new revision to follow: the head is not deployed again.
    expect(await sync()).toMatchObject({ result: 'unchanged', revision: head });
    expect((await allDeployments(control.admin)).filter((d) => d.revision === head)).toHaveLength(1);
  });

  it('when the remote refuses pushes: pins the target, says so, and DELETE /api/v1/pin follows the branch again', async () => {
    commits.three = await remote.publish({ 'resources.yaml': site({ '/app': c }) }, { message: 'three: /app to c' });
    expect(await sync()).toMatchObject({ result: 'applied', revision: commits.three });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('c');
    await remote.refusePushes();

    const answer = await api(control.admin, 'POST', '/api/v1/rollback', { to: commits.one });
    expect(answer.status).toBe(200);
    const body = answer.json as RollbackBody;
    expect(body).toMatchObject({ ok: true, target: commits.one, pinned: true, revertCommit: null });
    expect(body.message).toMatch(/could not be written/);
    expect(body.message).toMatch(/pinned/);
    expect(body.message).toMatch(/protected/); // the remote's own reason is passed on
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect(await remote.head()).toBe(commits.three);
    expect((await status(control.admin))).toMatchObject({ pinned: commits.one, applied: { revision: commits.one } });

    // Pinned: a new push is fetched but not applied.
    await remote.acceptPushes();
    const four = await remote.publish({ 'resources.yaml': site({ '/app': b }) }, { message: 'four: /app to b' });
    expect(await sync()).toMatchObject({ result: 'unchanged', revision: commits.one });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect((await allDeployments(control.admin)).some((d) => d.revision === four)).toBe(false);

    const unpinned = await api(control.admin, 'DELETE', '/api/v1/pin');
    expect(unpinned.status).toBe(200);
    expect(unpinned.json).toMatchObject({ pinned: null, applied: { revision: four } });
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
  });

  it('when the branch moved on since the last fetch: the revert commit goes on top of the new head (not a failed push and a pin)', async () => {
    // Someone pushes; the control plane has not fetched it yet (the interval is 60 s).
    const five = await remote.publish({ 'resources.yaml': site({ '/app': c, '/five': c }) }, { message: 'five' });
    const answer = await api(control.admin, 'POST', '/api/v1/rollback', { to: commits.two });
    expect(answer.status).toBe(200);
    const body = answer.json as RollbackBody;
    expect(body).toMatchObject({ ok: true, target: commits.two, pinned: false });
    const head = await remote.head();
    expect(head).toBe(body.revertCommit);
    expect(await git(remote.bare, 'rev-parse', `${head}^`)).toBe(five);
    expect(await tree(head)).toBe(await tree(commits.two!));
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    expect((await status(control.admin)).pinned).toBeNull();
  });
});
