import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdentityRepository, KeyState } from './identity-repository.js';
import { openStore, type Store } from './store.js';

// The store never sees a key, only what identity gives it (a hash and a visible prefix); these
// tests make such values themselves, since the store may not import identity.

let scratch: string;
let store: Store;
let repo: IdentityRepository;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-identity-repo-'));
  store = await openStore({ dataDir: scratch });
  repo = store.identity;
});

afterEach(async () => {
  await store.close();
  await rm(scratch, { recursive: true, force: true });
});

function newKey(): { key: string; keyHash: string; prefix: string } {
  const key = `gg_${randomBytes(24).toString('base64url')}`;
  return { key, keyHash: createHash('sha256').update(key).digest('hex'), prefix: key.slice(0, 8) };
}

async function addUser(email: string, groups: readonly string[] = ['crm']): Promise<void> {
  expect(await repo.addUser({ email, groups, passwordHash: null })).toBe(true);
}

async function createKey(email: string, name: string): Promise<ReturnType<typeof newKey>> {
  const key = newKey();
  expect(await repo.createKey({ email, name, keyHash: key.keyHash, prefix: key.prefix })).toEqual({ ok: true });
  return key;
}

const sequenceNow = async () => (await repo.changesSince(Number.MAX_SAFE_INTEGER)).sequence;
const byHash = (keys: readonly KeyState[]) => new Map(keys.map((k) => [k.keyHash, k]));

describe('users', () => {
  it('adds a user once; a second user with the same email is refused', async () => {
    await addUser('ada@example.com', ['b', 'a']);
    expect(await repo.addUser({ email: 'ada@example.com', groups: [], passwordHash: null })).toBe(false);
    const user = await repo.findUser('ada@example.com');
    expect(user).toMatchObject({ email: 'ada@example.com', groups: ['a', 'b'], passwordHash: null });
    expect(Date.parse(user!.createdAt)).not.toBeNaN();
    expect(await repo.findUser('nobody@example.com')).toBeUndefined();
  });

  it('keeps groups as a sorted set, whether given when adding or when setting them', async () => {
    await addUser('ada@example.com', ['b', 'a', 'b']);
    expect((await repo.findUser('ada@example.com'))?.groups).toEqual(['a', 'b']);
    expect(await repo.setGroups('ada@example.com', ['z', 'y', 'z'])).toBe(true);
    expect((await repo.findUser('ada@example.com'))?.groups).toEqual(['y', 'z']);
    expect(await repo.setGroups('nobody@example.com', ['x'])).toBe(false);
  });

  it('lists users by email', async () => {
    await addUser('zoe@example.com');
    await addUser('ada@example.com');
    expect((await repo.listUsers()).map((u) => u.email)).toEqual(['ada@example.com', 'zoe@example.com']);
  });

  it('sets a password hash only for an existing user', async () => {
    await addUser('ada@example.com');
    expect(await repo.setPassword('ada@example.com', 'scrypt$hash')).toBe(true);
    expect((await repo.findUser('ada@example.com'))?.passwordHash).toBe('scrypt$hash');
    expect(await repo.setPassword('nobody@example.com', 'scrypt$hash')).toBe(false);
  });
});

describe('keys', () => {
  it('creates a key for an existing user only, and one live key per name and user', async () => {
    const key = newKey();
    expect(await repo.createKey({ email: 'nobody@example.com', name: 'k', keyHash: key.keyHash, prefix: key.prefix })).toEqual({ ok: false, reason: 'user-not-found' });
    await addUser('ada@example.com');
    await addUser('bob@example.com');
    await createKey('ada@example.com', 'laptop');
    const again = newKey();
    expect(await repo.createKey({ email: 'ada@example.com', name: 'laptop', keyHash: again.keyHash, prefix: again.prefix })).toEqual({ ok: false, reason: 'name-taken' });
    // Another user may use the same name.
    await createKey('bob@example.com', 'laptop');
  });

  it('lists live keys with their prefix and state, never their hash', async () => {
    await addUser('ada@example.com');
    await addUser('bob@example.com');
    const laptop = await createKey('ada@example.com', 'laptop');
    await createKey('ada@example.com', 'ci');
    await createKey('bob@example.com', 'phone');
    await createKey('ada@example.com', 'old');
    expect(await repo.setSuspended('ada@example.com', 'ci', true)).toBe(true);
    expect(await repo.deleteKey('ada@example.com', 'old')).toBe(true);

    const keys = await repo.listKeys();
    expect(keys.map((k) => `${k.email}/${k.name}:${k.suspended}`)).toEqual(['ada@example.com/ci:true', 'ada@example.com/laptop:false', 'bob@example.com/phone:false']);
    expect(keys.find((k) => k.name === 'laptop')).toMatchObject({ prefix: laptop.prefix, lastUsedAt: null });
    expect(JSON.stringify(keys)).not.toContain(laptop.keyHash);
    expect((await repo.listKeys('bob@example.com')).map((k) => k.name)).toEqual(['phone']);
  });

  it('suspends, resumes and deletes live keys only', async () => {
    await addUser('ada@example.com');
    await createKey('ada@example.com', 'laptop');
    expect(await repo.setSuspended('ada@example.com', 'laptop', true)).toBe(true);
    expect(await repo.setSuspended('ada@example.com', 'laptop', false)).toBe(true);
    expect(await repo.setSuspended('ada@example.com', 'nope', true)).toBe(false);
    expect(await repo.setSuspended('nobody@example.com', 'laptop', true)).toBe(false);
    expect(await repo.deleteKey('ada@example.com', 'laptop')).toBe(true);
    expect(await repo.deleteKey('ada@example.com', 'laptop')).toBe(false);
    expect(await repo.setSuspended('ada@example.com', 'laptop', false)).toBe(false);
  });

  it('lets a deleted key\'s name be used again, for a new key', async () => {
    await addUser('ada@example.com');
    const old = await createKey('ada@example.com', 'laptop');
    await repo.deleteKey('ada@example.com', 'laptop');
    const fresh = await createKey('ada@example.com', 'laptop');
    const states = byHash((await repo.changesSince(0)).keys);
    expect(states.get(old.keyHash)?.deleted).toBe(true);
    expect(states.get(fresh.keyHash)?.deleted).toBe(false);
    // Operations by name act on the live key, never the tombstone.
    expect(await repo.setSuspended('ada@example.com', 'laptop', true)).toBe(true);
    const after = byHash((await repo.changesSince(0)).keys);
    expect(after.get(fresh.keyHash)?.suspended).toBe(true);
    expect(after.get(old.keyHash)?.suspended).toBe(false);
  });

  it('stores the hash and the visible prefix, never the rest of the key', async () => {
    await addUser('ada@example.com');
    const key = await createKey('ada@example.com', 'laptop');
    await store.close();
    const bytes = Buffer.concat(readdirSync(scratch).map((file) => readFileSync(path.join(scratch, file))));
    expect(bytes.includes(key.keyHash)).toBe(true);
    expect(bytes.includes(key.key.slice(key.prefix.length))).toBe(false);
    store = await openStore({ dataDir: scratch });
    repo = store.identity;
  });

  it('records last use without counting it as a change gateways must reload', async () => {
    await addUser('ada@example.com');
    const key = await createKey('ada@example.com', 'laptop');
    const before = await sequenceNow();
    await repo.touchKeys(new Map([[key.keyHash, '2024-05-01T10:00:00.000Z']]));
    await repo.touchKeys(new Map());
    expect((await repo.listKeys())[0]?.lastUsedAt).toBe('2024-05-01T10:00:00.000Z');
    expect(await repo.changesSince(before)).toEqual({ sequence: before, keys: [] });
  });
});

describe('changesSince', () => {
  it('moves the sequence forward on every change that concerns keys', async () => {
    const seen: number[] = [await sequenceNow()];
    const step = async () => seen.push(await sequenceNow());
    await addUser('ada@example.com');
    await step();
    await createKey('ada@example.com', 'laptop');
    await step();
    await repo.setSuspended('ada@example.com', 'laptop', true);
    await step();
    await repo.setSuspended('ada@example.com', 'laptop', false);
    await step();
    await repo.setGroups('ada@example.com', ['admins']);
    await step();
    await repo.deleteKey('ada@example.com', 'laptop');
    await step();
    for (let i = 1; i < seen.length; i++) expect(seen[i]!, `after change ${i}`).toBeGreaterThan(seen[i - 1]!);
  });

  it('does not move the sequence for a refused change', async () => {
    await addUser('ada@example.com');
    await createKey('ada@example.com', 'laptop');
    const before = await sequenceNow();
    await repo.addUser({ email: 'ada@example.com', groups: [], passwordHash: null });
    const dup = newKey();
    await repo.createKey({ email: 'ada@example.com', name: 'laptop', keyHash: dup.keyHash, prefix: dup.prefix });
    await repo.deleteKey('ada@example.com', 'nope');
    await repo.setGroups('nobody@example.com', []);
    expect(await sequenceNow()).toBe(before);
  });

  it('gives everything from 0, then only what changed after a sequence, deleted keys as tombstones', async () => {
    await addUser('ada@example.com', ['crm']);
    const laptop = await createKey('ada@example.com', 'laptop');
    const phone = await createKey('ada@example.com', 'phone');
    const first = await repo.changesSince(0);
    expect(first.keys).toHaveLength(2);
    expect(byHash(first.keys).get(laptop.keyHash)).toEqual({
      keyHash: laptop.keyHash,
      email: 'ada@example.com',
      name: 'laptop',
      groups: ['crm'],
      suspended: false,
      deleted: false,
    });

    expect(await repo.changesSince(first.sequence)).toEqual({ sequence: first.sequence, keys: [] });

    await repo.deleteKey('ada@example.com', 'laptop');
    const second = await repo.changesSince(first.sequence);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.keys).toEqual([{ keyHash: laptop.keyHash, email: 'ada@example.com', name: 'laptop', groups: ['crm'], suspended: false, deleted: true }]);
    // A reader starting from scratch learns of the deletion too.
    expect(byHash((await repo.changesSince(0)).keys).get(laptop.keyHash)?.deleted).toBe(true);
    expect(byHash((await repo.changesSince(0)).keys).get(phone.keyHash)?.deleted).toBe(false);
  });

  it('reports every key of a user whose groups changed, with the new groups', async () => {
    await addUser('ada@example.com', ['crm']);
    await addUser('bob@example.com', ['crm']);
    const a1 = await createKey('ada@example.com', 'one');
    const a2 = await createKey('ada@example.com', 'two');
    await createKey('bob@example.com', 'one');
    const before = await sequenceNow();
    await repo.setGroups('ada@example.com', ['admins', 'crm']);
    const changes = await repo.changesSince(before);
    expect(changes.keys.map((k) => k.keyHash).sort()).toEqual([a1.keyHash, a2.keyHash].sort());
    for (const key of changes.keys) expect(key.groups).toEqual(['admins', 'crm']);
  });

  it('sees changes made through another connection to the same file', async () => {
    const other = await openStore({ dataDir: scratch });
    try {
      const before = await sequenceNow();
      await other.identity.addUser({ email: 'ada@example.com', groups: ['crm'], passwordHash: null });
      const key = newKey();
      await other.identity.createKey({ email: 'ada@example.com', name: 'laptop', keyHash: key.keyHash, prefix: key.prefix });
      const changes = await repo.changesSince(before);
      expect(changes.sequence).toBeGreaterThan(before);
      expect(changes.keys.map((k) => k.keyHash)).toEqual([key.keyHash]);
    } finally {
      await other.close();
    }
  });
});
