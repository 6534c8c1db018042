import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, errorBody, send, type Answer } from '../helpers/gateway-fixtures.js';
import { freshAddress, PASSWORD, PortalClient, startPortalStack, type PortalStack } from '../helpers/portal-fixtures.js';

// Issue 6, "Accounts": POST /auth/login sets an HttpOnly, SameSite session cookie, POST
// /auth/logout ends it, GET /auth/me; sign-in attempts rate limited (429 with Retry-After);
// every state change refused when it comes from another site (Origin / Sec-Fetch-Site); the
// admin API's users, groups and invitations behind the admin token.

let s: PortalStack;

beforeAll(async () => {
  s = await startPortalStack();
  await s.addUser('ada@example.com', ['partner']);
  await s.addUser('bob@example.com', ['staff']);
});

afterAll(cleanup);

const GENERIC = errorBody('ERR_PORTAL_LOGIN_FAILED');

describe('POST /auth/login', () => {
  it('sets an HttpOnly, SameSite session cookie scoped to the portal and answers the email and groups', async () => {
    const client = new PortalClient(s.portal);
    const answer = await client.login('ada@example.com');
    expect(answer).toMatchObject({ status: 200, json: { email: 'ada@example.com', groups: ['partner'] } });
    expect(answer.headers['cache-control']).toBe('no-store');
    const cookie = answer.setCookie!;
    expect(cookie).toMatch(/^gitgate_session=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax', 'max-age=86400']));
    // Plain HTTP here: Secure would keep the browser from sending it back.
    expect(attributes).not.toContain('secure');
    expect(await client.get('/auth/me')).toMatchObject({ status: 200, json: { email: 'ada@example.com', groups: ['partner'] } });
  });

  it('takes the email in any case and with spaces around it', async () => {
    const answer = await new PortalClient(s.portal).login('  ADA@Example.COM ');
    expect(answer).toMatchObject({ status: 200, json: { email: 'ada@example.com' } });
  });

  it('answers the same 401 to a wrong password, an unknown email and an account without a password, and sets no cookie', async () => {
    const noPassword = await send(s.admin, {
      method: 'POST',
      path: '/api/v1/users',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nopass@example.com', groups: ['partner'] }),
    });
    expect(noPassword.status).toBe(201);
    const answers: Answer[] = [];
    for (const [email, password] of [
      ['ada@example.com', 'not the password at all'],
      ['nobody@example.com', PASSWORD],
      ['nopass@example.com', PASSWORD],
      ['nopass@example.com', ''],
    ] as const) {
      const answer = await new PortalClient(s.portal).login(email, password);
      expect({ email, status: answer.status, body: answer.json, cookie: answer.setCookie }).toEqual({ email, status: 401, body: GENERIC, cookie: undefined });
      answers.push(answer);
    }
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
  });

  // A generic message is no use when the time of the answer says which part was wrong: an
  // unknown email must cost about as much as a wrong password (scrypt), or accounts can be listed.
  it('takes about as long for an unknown email as for a wrong password', async () => {
    const timeOf = async (email: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const answer = await new PortalClient(s.portal).login(email, `wrong password ${i}`);
        times.push(performance.now() - started);
        expect(answer.status).toBe(401);
      }
      return times.sort((a, b) => a - b)[2]!;
    };
    await s.addUser('timing@example.com', []);
    const wrongPassword = await timeOf('timing@example.com');
    const unknownEmail = await timeOf('no-such-user@example.com');
    expect(unknownEmail).toBeGreaterThan(wrongPassword * 0.3);
  });

  it.each([
    ['no body', undefined],
    ['not JSON', '{"email": '],
    ['no password', JSON.stringify({ email: 'ada@example.com' })],
    ['a number as password', JSON.stringify({ email: 'ada@example.com', password: 12345678901 })],
    ['an array', JSON.stringify([])],
  ])('400 ERR_PORTAL_BAD_BODY for %s', async (_label, body) => {
    const answer = await new PortalClient(s.portal).request({ method: 'POST', path: '/auth/login', ...(body === undefined ? {} : { body }) });
    expect(answer).toMatchObject({ status: 400, json: errorBody('ERR_PORTAL_BAD_BODY') });
  });
});

describe('GET /auth/me and POST /auth/logout', () => {
  it('/auth/me is 401 without a session or with a made-up one', async () => {
    const client = new PortalClient(s.portal);
    expect(await client.get('/auth/me')).toMatchObject({ status: 401, json: errorBody('ERR_PORTAL_UNAUTHENTICATED') });
    for (const cookie of ['x', 'A'.repeat(43), '../../etc/passwd', '']) {
      client.cookie = cookie;
      expect(await client.get('/auth/me')).toMatchObject({ status: 401, json: errorBody('ERR_PORTAL_UNAUTHENTICATED') });
    }
  });

  it('logout ends the session on the server (the old cookie no longer works) and clears the cookie', async () => {
    const client = await new PortalClient(s.portal).signIn('bob@example.com');
    const session = client.cookie!;
    const other = await new PortalClient(s.portal).signIn('bob@example.com');
    const logout = await client.request({ method: 'POST', path: '/auth/logout' });
    expect(logout.status).toBe(204);
    expect(logout.setCookie).toMatch(/^gitgate_session=;/);
    expect(logout.setCookie).toMatch(/max-age=0/i);
    expect(client.cookie).toBeUndefined();
    client.cookie = session; // a client that kept the cookie
    for (const path of ['/auth/me', '/api/', '/api/tokens']) expect({ path, ...(await client.get(path)) }).toMatchObject({ path, status: 401 });
    // Only that session: another sign-in of the same consumer goes on.
    expect((await other.get('/auth/me')).status).toBe(200);
    // Logging out without a session is harmless.
    expect((await new PortalClient(s.portal).request({ method: 'POST', path: '/auth/logout' })).status).toBe(204);
  });
});

describe('sign-in rate limit', () => {
  it('after 10 failures for one email: 429 with Retry-After, even with the right password and from another address', async () => {
    await s.addUser('victim@example.com', ['partner']);
    const attacker = new PortalClient(s.portal);
    for (let i = 0; i < 10; i++) expect((await attacker.login('victim@example.com', `guess number ${i}`)).status).toBe(401);
    const limited = await attacker.login('victim@example.com', `guess number 11`);
    expect(limited).toMatchObject({ status: 429, json: errorBody('ERR_PORTAL_TOO_MANY_ATTEMPTS') });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 300).toBe(true);
    expect((await attacker.login('victim@example.com')).status).toBe(429);
    const elsewhere = await new PortalClient(s.portal).login('victim@example.com');
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.setCookie).toBeUndefined();
    // Other accounts are not held up.
    expect((await new PortalClient(s.portal).login('bob@example.com')).status).toBe(200);
  });

  it('after 10 failures from one address, whatever the emails: 429 for that address only', async () => {
    const address = freshAddress();
    const attacker = new PortalClient(s.portal, { address });
    for (let i = 0; i < 10; i++) expect((await attacker.login(`guess${i}@example.com`, 'password123')).status).toBe(401);
    expect(await attacker.login('bob@example.com')).toMatchObject({ status: 429, json: errorBody('ERR_PORTAL_TOO_MANY_ATTEMPTS') });
    expect((await new PortalClient(s.portal, { address }).login('ada@example.com')).status).toBe(429);
    expect((await new PortalClient(s.portal).login('bob@example.com')).status).toBe(200);
  });

  it("a successful sign-in clears the email's failures", async () => {
    await s.addUser('forgetful@example.com', []);
    // Each attempt from its own address: only the email's count is at stake here.
    for (let i = 0; i < 9; i++) expect((await new PortalClient(s.portal).login('forgetful@example.com', `try ${i}`)).status).toBe(401);
    expect((await new PortalClient(s.portal).login('forgetful@example.com')).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await new PortalClient(s.portal).login('forgetful@example.com', `again ${i}`)).status).toBe(401);
    expect((await new PortalClient(s.portal).login('forgetful@example.com')).status).toBe(200);
  });

  // Consumers behind one NAT (an office, a CI runner) sign in from one address: sign-ins that
  // succeed are not guesses and must not lock the others out.
  it('successful sign-ins do not use up the attempts of their address', async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await new PortalClient(s.portal, { address }).login(i % 2 === 0 ? 'ada@example.com' : 'bob@example.com')).status);
    expect(statuses).toEqual(Array(12).fill(200));
  });
});

describe('cross-site state changes are refused', () => {
  // The state changes, on a key named `name` that exists beforehand.
  const changes = (name: string): readonly { method: string; path: string; json?: unknown }[] => [
    { method: 'POST', path: '/auth/login', json: { email: 'ada@example.com', password: PASSWORD } },
    { method: 'POST', path: '/auth/logout' },
    { method: 'POST', path: '/auth/signup', json: { email: 'csrf-signup@example.com', password: PASSWORD, invitation: 'x' } },
    { method: 'POST', path: '/api/tokens', json: { name: `${name}-new` } },
    { method: 'POST', path: '/api/tokens/suspend', json: { name, suspend: true } },
    { method: 'DELETE', path: '/api/tokens', json: { name } },
  ];
  const crossSite: readonly [string, Record<string, string>][] = [
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Origin of the same host on another port', { origin: 'http://127.0.0.1:1' }],
    ['Origin: null (sandboxed frame, data: URL)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: cross-site with a same-origin Origin', { 'sec-fetch-site': 'cross-site', origin: '<self>' }],
    ['Sec-Fetch-Site: same-origin with a foreign Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }],
  ];

  it.each(crossSite.map((c, i) => [...c, i] as const))('%s: 403 ERR_PORTAL_CROSS_SITE on every state change, and nothing changes', async (_label, template, index) => {
    const client = await new PortalClient(s.portal).signIn('ada@example.com');
    const session = client.cookie;
    const kept = `kept-${index}`;
    await client.createToken(kept);
    const headers = Object.fromEntries(Object.entries(template).map(([k, v]) => [k, v === '<self>' ? client.origin : v]));
    for (const change of changes(kept)) {
      const answer = await client.request({ ...change, headers });
      expect({ ...change, status: answer.status, body: answer.json, cookie: answer.setCookie }).toEqual({ ...change, status: 403, body: errorBody('ERR_PORTAL_CROSS_SITE'), cookie: undefined });
    }
    expect(client.cookie).toBe(session);
    expect((await client.get('/auth/me')).status).toBe(200);
    const tokens = (await client.get('/api/tokens')).json as { name: string; suspended: boolean }[];
    expect(tokens.filter((t) => t.name.startsWith(kept))).toEqual([expect.objectContaining({ name: kept, suspended: false })]);
    expect(await s.identity.findUser('csrf-signup@example.com')).toBeUndefined();
  });

  it.each([
    ['no Origin and no Sec-Fetch-Site (a script)', {}, 0],
    ['a same-origin Origin', { origin: '<self>' }, 1],
    ['Sec-Fetch-Site: same-origin and its Origin', { 'sec-fetch-site': 'same-origin', origin: '<self>' }, 2],
    ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }, 3],
  ] as const)('%s: allowed', async (_label, template, index) => {
    const client = new PortalClient(s.portal);
    const name = `same-site-${index}`;
    const headers = Object.fromEntries(Object.entries(template).map(([k, v]) => [k, v === '<self>' ? client.origin : v]));
    expect((await client.request({ method: 'POST', path: '/auth/login', json: { email: 'bob@example.com', password: PASSWORD }, headers })).status).toBe(200);
    const created = await client.request({ method: 'POST', path: '/api/tokens', json: { name }, headers });
    expect(created.status).toBeLessThan(300);
    expect((await client.request({ method: 'POST', path: '/api/tokens/suspend', json: { name, suspend: true }, headers })).status).toBe(200);
    expect((await client.request({ method: 'DELETE', path: '/api/tokens', json: { name }, headers })).status).toBe(204);
    expect((await client.request({ method: 'POST', path: '/auth/logout', headers })).status).toBe(204);
  });

  it('the same holds on a portal under /portals/<name>/ and one reached by its domain', async () => {
    for (const options of [{ base: '/portals/staff' }, { host: 'partners.example.test' }]) {
      const client = await new PortalClient(s.portal, options).signIn('bob@example.com');
      expect((await client.request({ method: 'POST', path: '/api/tokens', json: { name: 'x' }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
      const own = await client.request({ method: 'POST', path: '/api/tokens', json: { name: `own-${client.host.length}` }, headers: { origin: client.origin, 'sec-fetch-site': 'same-origin' } });
      expect(own.status).toBeLessThan(300);
    }
  });

  it('reads from another site get no CORS grant (the browser keeps the answer from the other site)', async () => {
    const client = await new PortalClient(s.portal).signIn('ada@example.com');
    for (const path of ['/api/', '/api/tokens', '/auth/me']) {
      const answer = await client.request({ path, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const preflight = await client.request({ method: 'OPTIONS', path: '/api/tokens', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('admin API: users, groups and invitations', () => {
  const call = (method: string, path: string, body?: unknown, token: string | null = s.adminToken) =>
    send(s.admin, {
      method,
      path,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it.each([
    ['GET', '/api/v1/users'],
    ['POST', '/api/v1/users'],
    ['PUT', '/api/v1/users/ada%40example.com/groups'],
    ['POST', '/api/v1/invitations'],
  ])('%s %s needs the admin token', async (method, path) => {
    for (const token of [null, 'wrong-token']) {
      const answer = await call(method, path, { email: 'intruder@example.com', groups: ['admins'] }, token);
      expect({ token, status: answer.status, body: answer.json }).toEqual({ token, status: 401, body: errorBody('ERR_ADMIN_UNAUTHORIZED') });
    }
    expect(await s.identity.findUser('intruder@example.com')).toBeUndefined();
    expect((await s.identity.findUser('ada@example.com'))?.groups).toEqual(['partner']);
  });

  it('POST /api/v1/users adds a consumer with groups (no password: sign-in refused); errors by code', async () => {
    const created = await call('POST', '/api/v1/users', { email: 'Carol@Example.com', groups: ['staff', 'partner'] });
    expect(created).toMatchObject({ status: 201, json: { email: 'carol@example.com', groups: ['partner', 'staff'], hasPassword: false, createdAt: expect.any(String) } });
    expect(await call('POST', '/api/v1/users', { email: 'carol@example.com', groups: [] })).toMatchObject({ status: 409, json: errorBody('ERR_ID_USER_EXISTS') });
    expect(await call('POST', '/api/v1/users', { email: 'not-an-email', groups: [] })).toMatchObject({ status: 400, json: errorBody('ERR_ID_EMAIL_INVALID') });
    expect(await call('POST', '/api/v1/users', { email: 'dan@example.com', groups: ['bad group!'] })).toMatchObject({ status: 400, json: errorBody('ERR_ID_GROUP_INVALID') });
    for (const body of [{}, { email: 'dan@example.com', groups: 'staff' }, { email: 7 }, [1]]) {
      expect(await call('POST', '/api/v1/users', body)).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    }
    expect((await new PortalClient(s.portal).login('carol@example.com', '')).status).toBe(401);
  });

  it('GET /api/v1/users lists consumers without their password hashes', async () => {
    const answer = await call('GET', '/api/v1/users');
    expect(answer.status).toBe(200);
    const items = (answer.json as { items: { email: string }[] }).items;
    expect(items).toContainEqual({ email: 'ada@example.com', groups: ['partner'], hasPassword: true, createdAt: expect.any(String) });
    expect(answer.text).not.toMatch(/scrypt|passwordHash|password_hash/i);
  });

  it('PUT /api/v1/users/:email/groups replaces the groups; 404 for an unknown user, 400 for a bad body', async () => {
    await s.addUser('erin@example.com', ['partner']);
    const changed = await call('PUT', `/api/v1/users/${encodeURIComponent('erin@example.com')}/groups`, { groups: ['staff'] });
    expect(changed).toMatchObject({ status: 200, json: { email: 'erin@example.com', groups: ['staff'] } });
    const client = await new PortalClient(s.portal).signIn('erin@example.com');
    expect((await client.get('/auth/me')).json).toEqual({ email: 'erin@example.com', groups: ['staff'] });
    expect(await call('PUT', `/api/v1/users/${encodeURIComponent('ghost@example.com')}/groups`, { groups: [] })).toMatchObject({ status: 404, json: errorBody('ERR_ID_USER_NOT_FOUND') });
    expect(await call('PUT', '/api/v1/users/erin%40example.com/groups', { groups: 'staff' })).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    expect(await call('PUT', '/api/v1/users/erin%40example.com/groups', { groups: ['no spaces allowed'] })).toMatchObject({ status: 400, json: errorBody('ERR_ID_GROUP_INVALID') });
  });

  it('POST /api/v1/invitations answers the invitation once (its use is in portal-api-signup.test.ts)', async () => {
    const first = await call('POST', '/api/v1/invitations', { email: ' Frank@Example.com', groups: ['partner'] });
    expect(first).toMatchObject({ status: 201, json: { email: 'frank@example.com', groups: ['partner'], invitation: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/) } });
    const second = await call('POST', '/api/v1/invitations', { email: 'frank@example.com', groups: ['partner'] });
    expect((second.json as { invitation: string }).invitation).not.toBe((first.json as { invitation: string }).invitation);
    for (const body of [{}, { email: 'frank@example.com', groups: 'partner' }]) {
      expect(await call('POST', '/api/v1/invitations', body)).toMatchObject({ status: 400, json: errorBody('ERR_CONTROL_BAD_BODY') });
    }
  });

  it('POST /api/v1/invitations refuses what sign-up would refuse: an invalid email or group (400, no invitation)', async () => {
    expect(await call('POST', '/api/v1/invitations', { email: 'not-an-email', groups: [] })).toMatchObject({ status: 400, json: errorBody('ERR_ID_EMAIL_INVALID') });
    expect(await call('POST', '/api/v1/invitations', { email: 'gina@example.com', groups: ['bad group!'] })).toMatchObject({ status: 400, json: errorBody('ERR_ID_GROUP_INVALID') });
  });
});
