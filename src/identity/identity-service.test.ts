import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import type { IdentityErrorCode, IdentityResult } from './errors.js';
import { IDENTITY_ERRORS } from './errors.js';
import { hashKey, isWellFormedKey, KEY_PREFIX } from './key-format.js';
import { IdentityService } from './identity-service.js';

let scratch: string;
let store: Store;
let identity: IdentityService;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-identity-'));
  store = await openStore({ dataDir: scratch });
  identity = new IdentityService(store.identity);
});

afterEach(async () => {
  await store.close();
  await rm(scratch, { recursive: true, force: true });
});

function expectError(result: IdentityResult<unknown>, code: IdentityErrorCode): void {
  expect(result).toMatchObject({ ok: false, code });
  if (!result.ok) expect(result.message.startsWith(IDENTITY_ERRORS[code].message)).toBe(true);
}

function expectOk<T>(result: IdentityResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.value;
}

describe('users', () => {
  it('adds a user with groups and finds it again', async () => {
    expectOk(await identity.addUser('ada@example.com', ['crm-user', 'admins']));
    expect(await identity.findUser('ada@example.com')).toMatchObject({ email: 'ada@example.com', groups: ['admins', 'crm-user'], hasPassword: false });
    expect(await identity.findUser('bob@example.com')).toBeUndefined();
  });

  it('normalizes emails to lower case, without surrounding spaces, everywhere', async () => {
    expectOk(await identity.addUser('  Ada.Lovelace@Example.COM ', ['crm']));
    expect((await identity.listUsers()).map((u) => u.email)).toEqual(['ada.lovelace@example.com']);
    expect(await identity.findUser('ADA.LOVELACE@example.com')).toBeDefined();
    expectError(await identity.addUser('ada.lovelace@example.com', []), 'ERR_ID_USER_EXISTS');
    expectOk(await identity.setGroups('Ada.Lovelace@EXAMPLE.com', ['admins']));
    const key = expectOk(await identity.createKey('ADA.LOVELACE@EXAMPLE.COM', 'laptop'));
    expect(isWellFormedKey(key)).toBe(true);
    expect((await identity.listKeys('Ada.Lovelace@example.com')).map((k) => k.email)).toEqual(['ada.lovelace@example.com']);
    expectOk(await identity.setSuspended('ADA.lovelace@example.com', 'laptop', true));
    expectOk(await identity.deleteKey('ADA.lovelace@example.com', 'laptop'));
  });

  it.each(['', 'ada', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'ada@exa mple.com', 'a@b@example.com', `${'a'.repeat(65)}@example.com`])(
    'refuses the email %j with ERR_ID_EMAIL_INVALID',
    async (email) => {
      expectError(await identity.addUser(email, []), 'ERR_ID_EMAIL_INVALID');
      expect(await identity.listUsers()).toEqual([]);
    },
  );

  it.each(['', ' crm', 'crm user', '-crm', 'crm/user', 'a'.repeat(64), 'gr\u00fcn'])('refuses the group %j with ERR_ID_GROUP_INVALID', async (group) => {
    expectError(await identity.addUser('ada@example.com', ['ok', group]), 'ERR_ID_GROUP_INVALID');
    expect(await identity.findUser('ada@example.com')).toBeUndefined();
    expectOk(await identity.addUser('ada@example.com', ['ok']));
    expectError(await identity.setGroups('ada@example.com', [group]), 'ERR_ID_GROUP_INVALID');
    expect((await identity.findUser('ada@example.com'))?.groups).toEqual(['ok']);
  });

  it('accepts group names as the resources write them', async () => {
    expectOk(await identity.addUser('ada@example.com', ['crm-user', 'team.a', 'org:admins', 'A_1', 'a'.repeat(63)]));
  });

  it('refuses a duplicate user with ERR_ID_USER_EXISTS, leaving the first one unchanged', async () => {
    expectOk(await identity.addUser('ada@example.com', ['crm']));
    expectError(await identity.addUser('ada@example.com', ['admins']), 'ERR_ID_USER_EXISTS');
    expect((await identity.findUser('ada@example.com'))?.groups).toEqual(['crm']);
  });

  it('sets groups of an existing user only', async () => {
    expectError(await identity.setGroups('nobody@example.com', ['crm']), 'ERR_ID_USER_NOT_FOUND');
    expectOk(await identity.addUser('ada@example.com', ['crm']));
    expectOk(await identity.setGroups('ada@example.com', []));
    expect((await identity.findUser('ada@example.com'))?.groups).toEqual([]);
  });
});

describe('passwords', () => {
  it('refuses a short password with ERR_ID_PASSWORD_WEAK, adding no user', async () => {
    expectError(await identity.addUser('ada@example.com', [], 'short'), 'ERR_ID_PASSWORD_WEAK');
    expect(await identity.findUser('ada@example.com')).toBeUndefined();
  });

  it('authenticates with the right password only, and never without one', async () => {
    expectOk(await identity.addUser('ada@example.com', ['crm'], 'correct horse battery'));
    expectOk(await identity.addUser('bob@example.com', ['crm']));
    expect(await identity.authenticate('ADA@example.com', 'correct horse battery')).toMatchObject({ email: 'ada@example.com', hasPassword: true });
    expect(await identity.authenticate('ada@example.com', 'wrong horse battery')).toBeUndefined();
    expect(await identity.authenticate('bob@example.com', '')).toBeUndefined();
    expect(await identity.authenticate('nobody@example.com', 'correct horse battery')).toBeUndefined();
    const user = await identity.findUser('ada@example.com');
    expect(JSON.stringify(user)).not.toContain('scrypt');
  });

  it('changes a password: the old one stops working', async () => {
    expectOk(await identity.addUser('ada@example.com', [], 'correct horse battery'));
    expectError(await identity.setPassword('ada@example.com', 'short'), 'ERR_ID_PASSWORD_WEAK');
    expectError(await identity.setPassword('nobody@example.com', 'long enough password'), 'ERR_ID_USER_NOT_FOUND');
    expectOk(await identity.setPassword('ada@example.com', 'a new long password'));
    expect(await identity.authenticate('ada@example.com', 'correct horse battery')).toBeUndefined();
    expect(await identity.authenticate('ada@example.com', 'a new long password')).toBeDefined();
  });
});

describe('keys', () => {
  beforeEach(async () => {
    expectOk(await identity.addUser('ada@example.com', ['crm']));
  });

  it('creates a well-formed key, shown once: listings carry only its visible prefix', async () => {
    const key = expectOk(await identity.createKey('ada@example.com', 'laptop'));
    expect(key.startsWith(KEY_PREFIX)).toBe(true);
    expect(isWellFormedKey(key)).toBe(true);
    const [listed, ...rest] = await identity.listKeys();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({ email: 'ada@example.com', name: 'laptop', suspended: false, lastUsedAt: null });
    expect(key.startsWith(listed!.prefix)).toBe(true);
    expect(listed!.prefix.length).toBeLessThan(key.length / 2);
    expect(JSON.stringify(await identity.listKeys())).not.toContain(key.slice(listed!.prefix.length));
  });

  it('never stores the key: the SQLite files hold its SHA-256 hex, not the key', async () => {
    const key = expectOk(await identity.createKey('ada@example.com', 'laptop'));
    const files = () => readdirSync(scratch).map((file) => readFileSync(path.join(scratch, file)));
    // While open (the write may still be in the WAL file) and after closing (checkpointed).
    for (const phase of ['open', 'closed']) {
      if (phase === 'closed') await store.close();
      const bytes = Buffer.concat(files());
      expect(bytes.includes(hashKey(key)), `hash, ${phase}`).toBe(true);
      expect(bytes.includes(key), `key, ${phase}`).toBe(false);
      expect(bytes.includes(key.slice(8)), `key body, ${phase}`).toBe(false);
    }
    store = await openStore({ dataDir: scratch });
  });

  it.each(['', ' laptop', 'my laptop', '-laptop', 'lap/top', 'a'.repeat(65), 'caf\u00e9'])('refuses the key name %j with ERR_ID_KEY_NAME_INVALID', async (name) => {
    expectError(await identity.createKey('ada@example.com', name), 'ERR_ID_KEY_NAME_INVALID');
    expect(await identity.listKeys()).toEqual([]);
  });

  it('repeats at most 80 characters of an offending value in its message', async () => {
    const result = await identity.createKey('ada@example.com', 'a'.repeat(5000));
    expectError(result, 'ERR_ID_KEY_NAME_INVALID');
    if (!result.ok) expect(result.message).toBe(`${IDENTITY_ERRORS.ERR_ID_KEY_NAME_INVALID.message}: ${'a'.repeat(80)}… (5000 characters)`);
  });

  it('refuses a key for an unknown user with ERR_ID_USER_NOT_FOUND', async () => {
    expectError(await identity.createKey('nobody@example.com', 'laptop'), 'ERR_ID_USER_NOT_FOUND');
  });

  it('refuses a second live key with the same name with ERR_ID_KEY_NAME_TAKEN', async () => {
    expectOk(await identity.createKey('ada@example.com', 'laptop'));
    expectError(await identity.createKey('ada@example.com', 'laptop'), 'ERR_ID_KEY_NAME_TAKEN');
    // A suspended key still holds its name.
    expectOk(await identity.setSuspended('ada@example.com', 'laptop', true));
    expectError(await identity.createKey('ada@example.com', 'laptop'), 'ERR_ID_KEY_NAME_TAKEN');
  });

  it('lets a deleted key\'s name be reused, for a different key', async () => {
    const first = expectOk(await identity.createKey('ada@example.com', 'laptop'));
    expectOk(await identity.deleteKey('ada@example.com', 'laptop'));
    const second = expectOk(await identity.createKey('ada@example.com', 'laptop'));
    expect(second).not.toBe(first);
    expect((await identity.listKeys()).map((k) => k.name)).toEqual(['laptop']);
  });

  it('suspends, resumes and deletes by name; an unknown or deleted key is ERR_ID_KEY_NOT_FOUND', async () => {
    expectOk(await identity.createKey('ada@example.com', 'laptop'));
    expectOk(await identity.setSuspended('ada@example.com', 'laptop', true));
    expect((await identity.listKeys())[0]?.suspended).toBe(true);
    expectOk(await identity.setSuspended('ada@example.com', 'laptop', false));
    expect((await identity.listKeys())[0]?.suspended).toBe(false);
    expectError(await identity.setSuspended('ada@example.com', 'phone', true), 'ERR_ID_KEY_NOT_FOUND');
    expectError(await identity.deleteKey('bob@example.com', 'laptop'), 'ERR_ID_KEY_NOT_FOUND');
    expectOk(await identity.deleteKey('ada@example.com', 'laptop'));
    expectError(await identity.deleteKey('ada@example.com', 'laptop'), 'ERR_ID_KEY_NOT_FOUND');
    expectError(await identity.setSuspended('ada@example.com', 'laptop', false), 'ERR_ID_KEY_NOT_FOUND');
    expect(await identity.listKeys()).toEqual([]);
  });

  it('gives every error code a status and a message', () => {
    for (const [code, { status, message }] of Object.entries(IDENTITY_ERRORS)) {
      expect(code).toMatch(/^ERR_ID_[A-Z_]+$/);
      expect([400, 404, 409]).toContain(status);
      expect(message.length).toBeGreaterThan(0);
    }
  });
});
