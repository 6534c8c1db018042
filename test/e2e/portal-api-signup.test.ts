import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/portal/index.js';
import { cleanup, errorBody, runCli, send } from '../helpers/gateway-fixtures.js';
import { PASSWORD, PortalClient, startPortalStack, type PortalStack } from '../helpers/portal-fixtures.js';

// Issue 6, "Accounts": sign-up is open or by invitation (`--portal-signup open|invite`); an
// administrator invites through the admin API or `gitgate users invite`; an invitation is for one
// email, used once, and expires.

let open: PortalStack;
let invite: PortalStack;

beforeAll(async () => {
  [open, invite] = await Promise.all([startPortalStack({ signup: 'open' }), startPortalStack({ signup: 'invite' })]);
});

afterAll(cleanup);

function signUp(stack: PortalStack, body: unknown): ReturnType<PortalClient['request']> {
  return new PortalClient(stack.portal).request({ method: 'POST', path: '/auth/signup', json: body });
}

async function catalogNames(stack: PortalStack, email: string): Promise<string[]> {
  const client = await new PortalClient(stack.portal).signIn(email);
  return ((await client.get('/api/')).json as { apis: { name: string }[] }).apis.map((a) => a.name);
}

async function adminInvitation(stack: PortalStack, email: string, groups: readonly string[]): Promise<string> {
  const answer = await send(stack.admin, {
    method: 'POST',
    path: '/api/v1/invitations',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, groups }),
  });
  expect(answer.status).toBe(201);
  return (answer.json as { invitation: string }).invitation;
}

describe('open sign-up', () => {
  it('makes an account without groups that can sign in and sees only what any consumer may call', async () => {
    const answer = await signUp(open, { email: ' Newcomer@Example.com ', password: PASSWORD });
    expect(answer).toMatchObject({ status: 201, json: { email: 'newcomer@example.com', groups: [] } });
    expect(await catalogNames(open, 'newcomer@example.com')).toEqual(['flights']);
  });

  it('groups cannot be asked for', async () => {
    const answer = await signUp(open, { email: 'greedy@example.com', password: PASSWORD, groups: ['admins'] });
    expect(answer).toMatchObject({ status: 201, json: { groups: [] } });
    expect((await open.identity.findUser('greedy@example.com'))?.groups).toEqual([]);
  });

  it.each([
    ['an email taken (in any case)', { email: 'NEWCOMER@example.com', password: PASSWORD }, 409, 'ERR_ID_USER_EXISTS'],
    ['a short password', { email: 'short@example.com', password: 'short' }, 400, 'ERR_ID_PASSWORD_WEAK'],
    ['an invalid email', { email: 'not an email', password: PASSWORD }, 400, 'ERR_ID_EMAIL_INVALID'],
    ['no password', { email: 'nopw@example.com' }, 400, 'ERR_PORTAL_BAD_BODY'],
    ['a number as email', { email: 42, password: PASSWORD }, 400, 'ERR_PORTAL_BAD_BODY'],
  ] as const)('refuses %s', async (_label, body, status, code) => {
    expect(await signUp(open, body)).toMatchObject({ status, json: errorBody(code) });
    if (status === 400 && typeof body.email === 'string' && body.email.includes('@')) expect(await open.identity.findUser(body.email)).toBeUndefined();
  });

  it('refuses a body that is not JSON (400)', async () => {
    const answer = await new PortalClient(open.portal).request({ method: 'POST', path: '/auth/signup', body: '{"email":' });
    expect(answer).toMatchObject({ status: 400, json: errorBody('ERR_PORTAL_BAD_BODY') });
  });
});

describe('sign-up by invitation', () => {
  it('refuses a sign-up without an invitation or with a made-up one (403), and makes no account', async () => {
    for (const invitation of [undefined, 'made-up-invitation', '', 42]) {
      const answer = await signUp(invite, { email: 'uninvited@example.com', password: PASSWORD, ...(invitation === undefined ? {} : { invitation }) });
      expect({ invitation, status: answer.status, body: answer.json }).toEqual({ invitation, status: 403, body: errorBody('ERR_PORTAL_SIGNUP_CLOSED') });
    }
    expect(await invite.identity.findUser('uninvited@example.com')).toBeUndefined();
  });

  it('an invitation from the admin API: the account gets its groups, signs in and sees their APIs; it cannot be used twice', async () => {
    const invitation = await adminInvitation(invite, 'Invited@Example.com', ['partner']);
    const answer = await signUp(invite, { email: 'invited@example.com', password: PASSWORD, invitation, groups: ['admins'] });
    expect(answer).toMatchObject({ status: 201, json: { email: 'invited@example.com', groups: ['partner'] } });
    const names = await catalogNames(invite, 'invited@example.com');
    expect(names).toEqual(expect.arrayContaining(['flights', 'orders']));
    expect(names).not.toContain('secret');
    const again = await signUp(invite, { email: 'invited@example.com', password: PASSWORD, invitation });
    expect(again).toMatchObject({ status: 403, json: errorBody('ERR_PORTAL_SIGNUP_CLOSED') });
  });

  it('an invitation from `gitgate users invite` (another process on the data directory)', async () => {
    const run = await runCli(['users', 'invite', '--email', 'cli-invited@example.com', '--groups', 'staff,partner', '--data-dir', invite.dataDir]);
    expect(run.code).toBe(0);
    const invitation = run.stdout.trim();
    expect(invitation).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(run.stderr).not.toContain(invitation);
    expect(await signUp(invite, { email: 'cli-invited@example.com', password: PASSWORD, invitation })).toMatchObject({ status: 201 });
    const me = await (await new PortalClient(invite.portal).signIn('cli-invited@example.com')).get('/auth/me');
    expect((me.json as { groups: string[] }).groups.slice().sort()).toEqual(['partner', 'staff']);
  });

  it('refuses an invitation for another email (403), and the invitee can still use it', async () => {
    const invitation = await adminInvitation(invite, 'rightful@example.com', ['staff']);
    const stolen = await signUp(invite, { email: 'thief@example.com', password: PASSWORD, invitation });
    expect(stolen).toMatchObject({ status: 403, json: errorBody('ERR_PORTAL_SIGNUP_CLOSED') });
    expect(await invite.identity.findUser('thief@example.com')).toBeUndefined();
    // A mistyped email must not burn the invitation.
    expect(await signUp(invite, { email: 'rightful@example.com', password: PASSWORD, invitation })).toMatchObject({ status: 201, json: { groups: ['staff'] } });
  });

  it('a sign-up refused for a short password leaves the invitation usable', async () => {
    const invitation = await adminInvitation(invite, 'hasty@example.com', ['staff']);
    expect(await signUp(invite, { email: 'hasty@example.com', password: 'short', invitation })).toMatchObject({ status: 400, json: errorBody('ERR_ID_PASSWORD_WEAK') });
    expect(await signUp(invite, { email: 'hasty@example.com', password: PASSWORD, invitation })).toMatchObject({ status: 201 });
  });

  it('refuses an expired invitation (403)', async () => {
    const invitation = await createInvitation(invite.serve.store, 'late@example.com', ['staff'], -1000);
    expect(await signUp(invite, { email: 'late@example.com', password: PASSWORD, invitation })).toMatchObject({ status: 403, json: errorBody('ERR_PORTAL_SIGNUP_CLOSED') });
    expect(await invite.identity.findUser('late@example.com')).toBeUndefined();
  });
});
