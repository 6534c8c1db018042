import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, errorBody, send, sleep } from '../helpers/gateway-fixtures.js';
import { filesContaining, filesUnder, msUntil, PASSWORD, PortalClient, sha256Hex, startPortalStack, usableKey, type PortalStack } from '../helpers/portal-fixtures.js';

// Issue 6, "Portal API" and acceptance: GET/POST /api/tokens, POST /api/tokens/suspend, DELETE
// /api/tokens with their error codes; keys made here work on the gateway at once and get 401
// within one second of suspension or deletion; the key is shown once and never stored or
// logged in clear (the data directory and the logs are searched for it).

const WITHIN_MS = 1000;
const KEY_SHAPE = /^gg_[0-9A-Za-z]{33}$/;
let s: PortalStack;

beforeAll(async () => {
  s = await startPortalStack();
  for (const [email, groups] of [
    ['keys@example.com', ['staff']],
    ['other@example.com', ['staff']],
    ['fast@example.com', ['staff']],
    ['revoke@example.com', ['staff']],
    ['partner@example.com', ['partner']],
    ['limited@example.com', ['partner']],
    ['secrets@example.com', ['staff']],
  ] as const) {
    await s.addUser(email, groups);
  }
});

afterAll(cleanup);

type Token = { name: string; suspended: boolean };

describe('/api/tokens', () => {
  it('answers 401 to every method without a session', async () => {
    const anonymous = new PortalClient(s.portal);
    for (const [method, p, json] of [
      ['GET', '/api/tokens', undefined],
      ['POST', '/api/tokens', { name: 'x' }],
      ['POST', '/api/tokens/suspend', { name: 'x', suspend: true }],
      ['DELETE', '/api/tokens', { name: 'x' }],
    ] as const) {
      const answer = await anonymous.request({ method, path: p, json });
      expect({ method, p, status: answer.status, body: answer.json }).toEqual({ method, p, status: 401, body: errorBody('ERR_PORTAL_UNAUTHENTICATED') });
    }
  });

  it('lists, creates (the key shown this once), suspends, resumes and deletes', async () => {
    const client = await new PortalClient(s.portal).signIn('keys@example.com');
    expect(await client.get('/api/tokens')).toMatchObject({ status: 200, json: [] });

    const created = await client.request({ method: 'POST', path: '/api/tokens', json: { name: 'ci' } });
    expect([200, 201]).toContain(created.status);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(Object.keys(created.json as object)).toEqual(['token']);
    const key = (created.json as { token: string }).token;
    expect(key).toMatch(KEY_SHAPE);

    const listed = await client.get('/api/tokens');
    expect(listed.json).toEqual([expect.objectContaining({ name: 'ci', suspended: false })]);
    for (const secret of [key, key.slice(8), sha256Hex(key)]) expect(listed.text).not.toContain(secret);

    expect((await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'ci', suspend: true } })).status).toBe(200);
    expect(((await client.get('/api/tokens')).json as Token[]).map((t) => [t.name, t.suspended])).toEqual([['ci', true]]);
    expect((await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'ci', suspend: false } })).status).toBe(200);
    expect(((await client.get('/api/tokens')).json as Token[]).map((t) => [t.name, t.suspended])).toEqual([['ci', false]]);

    await client.createToken('second');
    expect(((await client.get('/api/tokens')).json as Token[]).map((t) => t.name).sort()).toEqual(['ci', 'second']);
    expect((await client.request({ method: 'DELETE', path: '/api/tokens', json: { name: 'ci' } })).status).toBe(204);
    expect(((await client.get('/api/tokens')).json as Token[]).map((t) => t.name)).toEqual(['second']);
  });

  it('error codes: 409 for a name taken, 404 for an unknown key, 400 for a bad body or name', async () => {
    const client = await new PortalClient(s.portal).signIn('keys@example.com');
    await client.createToken('taken');
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/tokens', { name: 'taken' }, 409, 'ERR_ID_KEY_NAME_TAKEN'],
      ['POST', '/api/tokens/suspend', { name: 'unknown', suspend: true }, 404, 'ERR_ID_KEY_NOT_FOUND'],
      ['DELETE', '/api/tokens', { name: 'unknown' }, 404, 'ERR_ID_KEY_NOT_FOUND'],
      ['POST', '/api/tokens', { name: '' }, 400, 'ERR_ID_KEY_NAME_INVALID'],
      ['POST', '/api/tokens', { name: 'has space' }, 400, 'ERR_ID_KEY_NAME_INVALID'],
      ['POST', '/api/tokens', { name: '../etc' }, 400, 'ERR_ID_KEY_NAME_INVALID'],
      ['POST', '/api/tokens', { name: 'x'.repeat(65) }, 400, 'ERR_ID_KEY_NAME_INVALID'],
      ['POST', '/api/tokens', {}, 400, 'ERR_PORTAL_BAD_BODY'],
      ['POST', '/api/tokens', { name: 7 }, 400, 'ERR_PORTAL_BAD_BODY'],
      ['POST', '/api/tokens', undefined, 400, 'ERR_PORTAL_BAD_BODY'],
      ['POST', '/api/tokens/suspend', { name: 'taken' }, 400, 'ERR_PORTAL_BAD_BODY'],
      ['POST', '/api/tokens/suspend', { name: 'taken', suspend: 'yes' }, 400, 'ERR_PORTAL_BAD_BODY'],
      ['DELETE', '/api/tokens', {}, 400, 'ERR_PORTAL_BAD_BODY'],
    ];
    for (const [method, p, json, status, code] of cases) {
      const answer = await client.request({ method, path: p, json });
      expect({ method, p, json, status: answer.status, body: answer.json }).toEqual({ method, p, json, status, body: errorBody(code) });
    }
    const broken = await client.request({ method: 'POST', path: '/api/tokens', body: '{"name": "half' });
    expect(broken).toMatchObject({ status: 400, json: errorBody('ERR_PORTAL_BAD_BODY') });
    // Nothing was made or changed by the refusals.
    expect(((await client.get('/api/tokens')).json as Token[]).filter((t) => t.name === 'taken')).toEqual([expect.objectContaining({ suspended: false })]);
  });

  it('405 ERR_PORTAL_METHOD for a method an endpoint does not take, with or without a body', async () => {
    const client = await new PortalClient(s.portal).signIn('keys@example.com');
    for (const [method, p, json] of [
      ['PUT', '/api/tokens', { name: 'taken' }],
      ['PATCH', '/api/tokens', undefined],
      ['GET', '/api/tokens/suspend', undefined],
      ['DELETE', '/api/tokens/suspend', undefined],
    ] as const) {
      const answer = await client.request({ method, path: p, json });
      expect({ method, p, status: answer.status, body: answer.json }).toEqual({ method, p, status: 405, body: errorBody('ERR_PORTAL_METHOD') });
    }
  });

  it("a consumer sees and touches only their own keys (another's key of the same name is out of reach)", async () => {
    const owner = await new PortalClient(s.portal).signIn('keys@example.com');
    const key = await usableKey(owner, s.gateway, 'mine');
    const other = await new PortalClient(s.portal).signIn('other@example.com');
    expect(((await other.get('/api/tokens')).json as Token[]).map((t) => t.name)).not.toContain('mine');
    expect(await other.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'mine', suspend: true } })).toMatchObject({ status: 404, json: errorBody('ERR_ID_KEY_NOT_FOUND') });
    expect(await other.request({ method: 'DELETE', path: '/api/tokens', json: { name: 'mine' } })).toMatchObject({ status: 404, json: errorBody('ERR_ID_KEY_NOT_FOUND') });
    // Names are per consumer.
    expect(await other.createToken('mine')).toMatch(KEY_SHAPE);
    await sleep(400); // more than one key-sync interval
    expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(200);
    expect(((await owner.get('/api/tokens')).json as Token[]).find((t) => t.name === 'mine')).toMatchObject({ suspended: false });
  });
});

describe('portal keys on the gateway', () => {
  // Several keys: one made just before the gateway's next key sync would pass by chance.
  it('a key created in the portal works on the gateway at once (the first call after the answer)', async () => {
    const client = await new PortalClient(s.portal).signIn('fast@example.com');
    const firsts: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const key = await client.createToken(`at-once-${i}`);
      const first = await send(s.gateway, { path: `/orders/${i}`, key });
      firsts.push({ status: first.status, body: first.json });
      await sleep(37);
    }
    expect(firsts).toEqual([0, 1, 2, 3, 4].map((i) => ({ status: 200, body: { upstream: 'orders', method: 'GET', path: `/orders/${i}` } })));
  });

  it('suspended: 401 within one second; resumed: 200 within one second; deleted: 401 within one second, for good', async () => {
    const client = await new PortalClient(s.portal).signIn('revoke@example.com');
    const key = await usableKey(client, s.gateway, 'revoked');
    const options = { path: '/orders/1' };
    expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(200);

    let since = performance.now();
    expect((await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'revoked', suspend: true } })).status).toBe(200);
    const suspended = await msUntil(s.gateway, key, 401, since, options);
    expect(suspended.answer.json).toEqual(errorBody('ERR_GW_KEY_INVALID'));
    expect(suspended.ms).toBeLessThan(WITHIN_MS);
    for (let i = 0; i < 3; i++) expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(401);

    since = performance.now();
    expect((await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'revoked', suspend: false } })).status).toBe(200);
    const resumed = await msUntil(s.gateway, key, 200, since, options);
    expect(resumed.answer.status).toBe(200);
    expect(resumed.ms).toBeLessThan(WITHIN_MS);

    since = performance.now();
    expect((await client.request({ method: 'DELETE', path: '/api/tokens', json: { name: 'revoked' } })).status).toBe(204);
    const deleted = await msUntil(s.gateway, key, 401, since, options);
    expect(deleted.answer.json).toEqual(errorBody('ERR_GW_KEY_INVALID'));
    expect(deleted.ms).toBeLessThan(WITHIN_MS);
    await sleep(400);
    expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(401);
    // A new key of the same name is a new key: the old one stays refused.
    const again = await usableKey(client, s.gateway, 'revoked');
    expect(again).not.toBe(key);
    expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(401);
  });

  it("a portal key carries its consumer's groups: the operation filter and the rate limit the catalog shows", async () => {
    const partner = await new PortalClient(s.portal).signIn('partner@example.com');
    const partnerKey = await usableKey(partner, s.gateway, 'filtered');
    expect((await send(s.gateway, { method: 'POST', path: '/orders', key: partnerKey, body: '{}' })).status).toBe(403);
    const staff = await new PortalClient(s.portal).signIn('keys@example.com');
    const staffKey = await usableKey(staff, s.gateway, 'writer');
    expect((await send(s.gateway, { method: 'POST', path: '/orders', key: staffKey, body: '{}' })).status).toBe(200);

    const limited = await new PortalClient(s.portal).signIn('limited@example.com');
    const orders = ((await limited.get('/api/')).json as { apis: { name: string; rateLimit?: { limit: number; period: string } }[] }).apis.find((a) => a.name === 'orders');
    expect(orders?.rateLimit).toEqual({ limit: 3, period: '1m' });
    const key = await usableKey(limited, s.gateway, 'counted');
    const statuses: number[] = [];
    for (let i = 0; i < orders!.rateLimit!.limit + 1; i++) statuses.push((await send(s.gateway, { path: `/orders/${i}`, key })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('secrets are never stored or logged in clear', () => {
  it('keys, the session, the password and the invitation: not in any file of the data directory nor in the logs; their SHA-256 is in the database', async () => {
    const client = await new PortalClient(s.portal).signIn('secrets@example.com');
    const session = client.cookie!;
    const keys = [await usableKey(client, s.gateway, 'one'), await usableKey(client, s.gateway, 'two'), await usableKey(client, s.gateway, 'three')];
    for (const key of keys) {
      expect((await send(s.gateway, { path: '/orders/1', key })).status).toBe(200);
      expect((await send(s.gateway, { path: '/secret/1', key })).status).toBe(403);
      expect((await send(s.gateway, { path: '/nowhere', key })).status).toBe(404);
    }
    // Refused keys are logged too: a suspended one, a deleted one, one with a character changed.
    await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name: 'two', suspend: true } });
    await client.request({ method: 'DELETE', path: '/api/tokens', json: { name: 'three' } });
    await sleep(400);
    expect((await send(s.gateway, { path: '/orders/1', key: keys[1]! })).status).toBe(401);
    expect((await send(s.gateway, { path: '/orders/1', key: keys[2]! })).status).toBe(401);
    const mangled = `${keys[0]!.slice(0, -1)}${keys[0]!.endsWith('A') ? 'B' : 'A'}`;
    expect((await send(s.gateway, { path: '/orders/1', key: mangled })).status).toBe(401);
    // A key put where it does not belong (the path, a query) is the caller's mistake, but it is
    // still a key of ours in clear: the access log keeps the path without the query string.
    await send(s.gateway, { path: `/orders/1?api_key=${keys[0]}`, key: keys[0]! });

    const invitation = await send(s.admin, {
      method: 'POST',
      path: '/api/v1/invitations',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'invitee@example.com', groups: ['staff'] }),
    });
    const invitationToken = (invitation.json as { invitation: string }).invitation;
    expect((await new PortalClient(s.portal).request({ method: 'POST', path: '/auth/signup', json: { email: 'invitee@example.com', password: `${PASSWORD} too`, invitation: invitationToken } })).status).toBe(201);
    const inviteeSession = (await new PortalClient(s.portal).signIn('invitee@example.com', `${PASSWORD} too`)).cookie!;

    const secrets: Record<string, string> = {
      ...Object.fromEntries(keys.flatMap((key, i) => [[`key ${i}`, key], [`key ${i} after its visible prefix`, key.slice(8)]])),
      session: session,
      "the invitee's session": inviteeSession,
      password: PASSWORD,
      "the invitee's password": `${PASSWORD} too`,
      invitation: invitationToken,
    };
    const hashes: Record<string, string> = {
      ...Object.fromEntries(keys.map((key, i) => [`key ${i}`, sha256Hex(key)])),
      session: sha256Hex(session),
      invitation: sha256Hex(invitationToken),
    };

    const check = async (when: string) => {
      const files = await filesUnder(s.dataDir);
      expect(files.map((f) => path.basename(f.file))).toContain('gitgate.db');
      const logs = [...s.logs, ...s.accessLogs].join('');
      // The search does see what is stored and logged in clear: the email, a key's visible prefix.
      expect(filesContaining(files, 'secrets@example.com')).not.toEqual([]);
      expect(filesContaining(files, keys[0]!.slice(0, 8))).not.toEqual([]);
      expect(logs).toContain('secrets@example.com');
      for (const [what, secret] of Object.entries(secrets)) {
        expect({ when, what, files: filesContaining(files, secret).map((f) => path.relative(s.dataDir, f)), inLogs: logs.includes(secret) }).toEqual({ when, what, files: [], inLogs: false });
      }
      for (const [what, hash] of Object.entries(hashes)) {
        expect({ when, what, stored: filesContaining(files, hash).some((f) => path.basename(f).startsWith('gitgate.db')) }).toEqual({ when, what, stored: true });
      }
    };
    expect(s.accessLogs.length).toBeGreaterThan(10);
    await check('while serving');
    // Closing checkpoints the write-ahead log into the database file and flushes last-used times.
    await s.serve.close();
    await check('after closing');
  });
});
