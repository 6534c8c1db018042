import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, errorBody, sleep, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import {
  allDeployments,
  api,
  brokenApi,
  Remote,
  seedKey,
  servedBy,
  site,
  startControl,
  status,
  waitAttempt,
  waitServed,
  type ControlPlane,
} from '../helpers/git-fixtures.js';

// Issue 4, acceptance: a control plane following a real bare remote. A good push is served
// within the interval + 1 s; a push with a lint error is never applied, keeps traffic as it
// was, shows in GET /api/v1/status with its diagnostics, and is recorded once; a pin holds a
// revision until it is lifted.

const INTERVAL_MS = 1000;
/** How long a test waits for something it does not time (generous: the machine may be busy). */
const SETTLE_MS = 5000;
let a: Upstream;
let b: Upstream;
let c: Upstream;
let remote: Remote;
let key = '';
let control: ControlPlane;
let first = '';
let bad = '';

beforeAll(async () => {
  [a, b, c] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b'), startEchoUpstream('c')]);
  remote = await Remote.create('follow');
  first = await remote.publish({ 'resources.yaml': site({ '/a': a }) }, { message: 'route /a to a' });
  const dataDir = await tempDir('follow-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
});

afterAll(cleanup);

describe('following a branch', () => {
  it('serves the head of the branch from the first request after start', async () => {
    expect(await servedBy(control.gateway, '/a/x', key)).toBe('a');
    const now = await status(control.admin);
    expect(now.applied?.revision).toBe(first);
    expect(now.sourceHealth).toMatchObject({ health: 'ok', head: first, error: null, consecutiveFailures: 0 });
    expect(now.source).toMatchObject({ kind: 'git', branch: 'main', url: remote.bare });
    expect(now.lastAttempt).toMatchObject({ revision: first, result: 'applied', trigger: 'start', author: 't <t@t>', message: 'route /a to a', errors: 0 });
  });

  it(`serves a pushed commit within the interval (${INTERVAL_MS} ms) + 1 s`, async () => {
    const sha = await remote.commit({ 'resources.yaml': site({ '/a': a, '/b': b }) }, { message: 'add /b' });
    const pushed = performance.now();
    await remote.push();
    await waitServed(control.gateway, '/b/x', key, 'b', INTERVAL_MS + 1000 + 1000);
    const took = performance.now() - pushed;
    expect(took).toBeLessThan(INTERVAL_MS + 1000);
    const now = await status(control.admin);
    expect(now.applied?.revision).toBe(sha);
    expect(now.lastAttempt).toMatchObject({ revision: sha, parent: first, result: 'applied', trigger: 'poll', message: 'add /b' });
  });

  it('does not apply a commit with a lint error: traffic unchanged, status shows the diagnostics, recorded once', async () => {
    const before = await status(control.admin);
    const broken = brokenApi();
    // The bad commit also moves /a to c: none of it may reach traffic.
    bad = await remote.publish({ 'resources.yaml': site({ '/a': c, '/b': b }), 'broken.yaml': broken.text }, { message: 'break it' });
    const attempt = await waitAttempt(control.admin, bad, SETTLE_MS);
    expect(attempt).toMatchObject({ result: 'rejected', errors: 1, configHash: null, message: 'break it', parent: before.applied!.revision });
    expect(attempt.diagnostics).toContainEqual(expect.objectContaining({ rule: 'reference', severity: 'error', file: 'broken.yaml', line: broken.line }));
    expect(attempt.diagnostics.find((d) => d.rule === 'reference')?.message).toMatch(/missing-service/);

    expect(await servedBy(control.gateway, '/a/x', key)).toBe('a');
    expect(await servedBy(control.gateway, '/b/x', key)).toBe('b');
    expect(await servedBy(control.gateway, '/broken/x', key)).toBeUndefined();
    const now = await status(control.admin);
    expect(now.applied).toEqual(before.applied);
    expect(now.lastAttempt).toMatchObject({ id: attempt.id, revision: bad, result: 'rejected' });
    expect(now.sourceHealth.head).toBe(bad);

    // Three more polls: the same bad revision is not tried (nor recorded) again.
    await sleep(INTERVAL_MS * 3 + 200);
    const records = (await allDeployments(control.admin)).filter((d) => d.revision === bad);
    expect(records.map((d) => d.id)).toEqual([attempt.id]);
    expect((await status(control.admin)).lastAttempt?.id).toBe(attempt.id);
    expect(await servedBy(control.gateway, '/a/x', key)).toBe('a');
  });

  it('applies the commit that fixes it', async () => {
    const fixed = await remote.publish({ 'resources.yaml': site({ '/a': c, '/b': b }) }, { remove: ['broken.yaml'], message: 'fix it' });
    await waitServed(control.gateway, '/a/x', key, 'c', SETTLE_MS);
    expect((await status(control.admin)).applied?.revision).toBe(fixed);
  });
});

describe('pinning', () => {
  it('POST /api/v1/pin serves an older commit, new pushes are not applied, DELETE /api/v1/pin follows the branch again', async () => {
    const pinned = await api(control.admin, 'POST', '/api/v1/pin', { revision: first.slice(0, 10) });
    expect(pinned.status).toBe(200);
    expect(pinned.json).toMatchObject({ pinned: first, applied: { revision: first } });
    // The pinned revision serves at once: only /a, to a.
    expect(await servedBy(control.gateway, '/a/x', key)).toBe('a');
    expect(await servedBy(control.gateway, '/b/x', key)).toBeUndefined();
    expect((await status(control.admin)).lastAttempt).toMatchObject({ revision: first, trigger: 'pin', result: 'applied' });

    const newer = await remote.publish({ 'resources.yaml': site({ '/a': b, '/b': b }) }, { message: 'while pinned' });
    // Two polls see the new head but keep the pin.
    await waitAttemptOrHead(newer);
    await sleep(INTERVAL_MS * 2);
    expect(await servedBy(control.gateway, '/a/x', key)).toBe('a');
    const held = await status(control.admin);
    expect(held.pinned).toBe(first);
    expect(held.applied?.revision).toBe(first);
    expect(held.sourceHealth.head).toBe(newer);
    expect((await allDeployments(control.admin)).some((d) => d.revision === newer)).toBe(false);

    const unpinned = await api(control.admin, 'DELETE', '/api/v1/pin');
    expect(unpinned.status).toBe(200);
    expect(unpinned.json).toMatchObject({ pinned: null, applied: { revision: newer } });
    expect(await servedBy(control.gateway, '/a/x', key)).toBe('b');
    expect((await status(control.admin)).lastAttempt).toMatchObject({ revision: newer, trigger: 'unpin', result: 'applied' });

    // Following again: the next push is applied by polling.
    const after = await remote.publish({ 'resources.yaml': site({ '/a': a, '/b': b }) }, { message: 'after unpin' });
    await waitServed(control.gateway, '/a/x', key, 'a', SETTLE_MS);
    expect((await status(control.admin)).applied?.revision).toBe(after);
  });

  it('refuses to pin an unknown revision (404) or a body without a revision (400), and keeps serving', async () => {
    const before = await status(control.admin);
    expect(await api(control.admin, 'POST', '/api/v1/pin', { revision: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' })).toMatchObject({
      status: 404,
      json: errorBody('ERR_CONTROL_UNKNOWN_REVISION'),
    });
    expect(await api(control.admin, 'POST', '/api/v1/pin', { revision: 'main; rm -rf /' })).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    expect(await api(control.admin, 'POST', '/api/v1/pin', {})).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    const after = await status(control.admin);
    expect(after.pinned).toBeNull();
    expect(after.applied).toEqual(before.applied);
  });

  it('refuses to pin a revision that does not lint clean (422), like a rollback to one, and keeps following', async () => {
    const before = await status(control.admin);
    try {
      expect(await api(control.admin, 'POST', '/api/v1/pin', { revision: bad })).toMatchObject({ status: 422, json: errorBody('ERR_CONTROL_TARGET_REJECTED') });
      const after = await status(control.admin);
      expect(after.pinned).toBeNull();
      expect(after.applied).toEqual(before.applied);
    } finally {
      await api(control.admin, 'DELETE', '/api/v1/pin');
    }
  });

  it('--revision at start (repo.revision) pins: the commit is served, the branch head is not', async () => {
    const dataDir = await tempDir('follow-pinned');
    const pinnedKey = await seedKey(dataDir);
    const head = await remote.head();
    const pinned = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS, repo: { revision: first } });
    expect(await servedBy(pinned.gateway, '/a/x', pinnedKey)).toBe('a');
    expect(await servedBy(pinned.gateway, '/b/x', pinnedKey)).toBeUndefined();
    const now = await status(pinned.admin);
    expect(now).toMatchObject({ pinned: first, applied: { revision: first }, sourceHealth: { health: 'ok', head } });
    await pinned.close();
  });

  it('--revision with an abbreviated sha pins the full commit (status and deployments name it in full)', async () => {
    const dataDir = await tempDir('follow-short');
    const pinned = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS, repo: { revision: first.slice(0, 8) } });
    const now = await status(pinned.admin);
    expect(now.pinned).toBe(first);
    expect(now.applied?.revision).toBe(first);
    expect((await allDeployments(pinned.admin)).map((d) => d.revision)).toEqual([first]);
    await pinned.close();
  });
});

/** Waits until the control plane has fetched `head` (polling). */
async function waitAttemptOrHead(head: string): Promise<void> {
  const started = performance.now();
  while ((await status(control.admin)).sourceHealth.head !== head) {
    if (performance.now() - started > SETTLE_MS) throw new Error(`the control plane did not fetch ${head}`);
    await sleep(25);
  }
}

