import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/control/index.js';
import { cleanup, errorBody, send, sleep, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import {
  ADMIN_TOKEN,
  allDeployments,
  hasCommit,
  Remote,
  seedKey,
  servedBy,
  site,
  startControl,
  status,
  waitServed,
  WEBHOOK_SECRET,
  type ControlPlane,
} from '../helpers/git-fixtures.js';

// Issue 4, acceptance: "webhook with a valid signature → applied within 1 s, without or with a
// bad signature → 401 and no fetch". The polling interval is 60 s, so only the webhook can
// explain a fetch; "no fetch" is checked in the mirror itself (DATA_DIR/repo.git).

const INTERVAL_MS = 60_000;
let a: Upstream;
let b: Upstream;
let remote: Remote;
let dataDir = '';
let mirror = '';
let key = '';
let control: ControlPlane;

/** A push event as GitHub sends it (the body is only a signal: never read as configuration). */
function pushEvent(after: string): string {
  return JSON.stringify({ ref: 'refs/heads/main', after, repository: { full_name: 'acme/gitops' }, head_commit: { id: after, message: 'resources: evil' } });
}

function hook(body: string, headers: Record<string, string>) {
  return send(control.admin, { method: 'POST', path: '/hooks/git', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers } });
}

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b')]);
  remote = await Remote.create('webhook');
  await remote.publish({ 'resources.yaml': site({ '/app': a }) });
  dataDir = await tempDir('webhook-data');
  mirror = path.join(dataDir, 'repo.git');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
});

afterAll(cleanup);

describe('POST /hooks/git', () => {
  it('refuses a missing, wrong or foreign signature with 401 and fetches nothing', async () => {
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': b }) }, { message: 'unsigned hook' });
    const body = pushEvent(sha);
    const attempts: [string, Record<string, string>][] = [
      ['no signature', {}],
      ['empty signature', { 'x-hub-signature-256': '' }],
      ['wrong secret', { 'x-hub-signature-256': signWebhook(body, 'not-the-secret') }],
      ['signature of another body', { 'x-hub-signature-256': signWebhook(`${body} `, WEBHOOK_SECRET) }],
      ['sha1 signature header only', { 'x-hub-signature': signWebhook(body, WEBHOOK_SECRET).replace('sha256=', 'sha1=') }],
      ['not hex', { 'x-hub-signature-256': 'sha256=zz' }],
      ['the admin token instead', { authorization: `Bearer ${ADMIN_TOKEN}` }],
    ];
    for (const [what, headers] of attempts) {
      const answer = await hook(body, headers);
      expect({ what, status: answer.status, body: answer.json }).toEqual({ what, status: 401, body: errorBody('ERR_HOOK_SIGNATURE') });
    }
    // Give a (wrongly) triggered fetch time to land, then look in the mirror.
    await sleep(500);
    expect(await hasCommit(mirror, sha)).toBe(false);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('a');
    expect((await status(control.admin)).sourceHealth.head).not.toBe(sha);
  });

  it('fetches at once on a valid signature: the new commit is served within 1 s', async () => {
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': b, '/extra': a }) }, { message: 'signed hook' });
    const body = pushEvent('0000000000000000000000000000000000000000');
    const sent = performance.now();
    const answer = await hook(body, { 'x-hub-signature-256': signWebhook(body, WEBHOOK_SECRET) });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ status: 'fetching' });
    await waitServed(control.gateway, '/extra/x', key, 'a', 3000);
    const took = performance.now() - sent;
    expect(took).toBeLessThan(1000);
    expect(await servedBy(control.gateway, '/app/x', key)).toBe('b');
    expect(await hasCommit(mirror, sha)).toBe(true);
    // The body's "after" sha is not what is deployed: the branch head is.
    expect((await status(control.admin)).lastAttempt).toMatchObject({ revision: sha, trigger: 'webhook', result: 'applied' });
  });

  it('a burst of valid webhooks for one push records one deployment', async () => {
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': a, '/extra': b }) }, { message: 'burst' });
    const body = pushEvent(sha);
    const answers = await Promise.all(Array.from({ length: 5 }, () => hook(body, { 'x-hub-signature-256': signWebhook(body, WEBHOOK_SECRET) })));
    expect(answers.map((x) => x.status)).toEqual([202, 202, 202, 202, 202]);
    await waitServed(control.gateway, '/extra/x', key, 'b', 3000);
    await sleep(300);
    expect((await allDeployments(control.admin)).filter((d) => d.revision === sha)).toHaveLength(1);
  });

  it('is off (401) when GITGATE_WEBHOOK_SECRET is not set', async () => {
    const otherData = await tempDir('webhook-nosecret');
    const other = await startControl({ url: remote.bare, dataDir: otherData, intervalMs: INTERVAL_MS, env: { GITGATE_WEBHOOK_SECRET: '' } });
    const sha = await remote.publish({ 'resources.yaml': site({ '/app': b }) }, { message: 'no secret' });
    const body = pushEvent(sha);
    const answer = await send(other.admin, { method: 'POST', path: '/hooks/git', body, headers: { 'x-hub-signature-256': signWebhook(body, '') } });
    expect(answer).toMatchObject({ status: 401, json: errorBody('ERR_HOOK_NOT_CONFIGURED') });
    await sleep(300);
    expect(await hasCommit(path.join(otherData, 'repo.git'), sha)).toBe(false);
    await other.close();
  });
});
