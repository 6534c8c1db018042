import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { WriteTransaction } from './store.js';

export interface UserRecord {
  readonly email: string;
  readonly groups: readonly string[];
  readonly passwordHash: string | null;
  readonly createdAt: string;
}

export interface KeyRecord {
  readonly email: string;
  readonly name: string;
  readonly prefix: string;
  readonly suspended: boolean;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** A key as gateways index it: by hash, with its owner's identity. */
export interface KeyState {
  readonly keyHash: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly suspended: boolean;
  readonly deleted: boolean;
}

export interface IdentityChanges {
  /** The sequence number these changes bring a reader up to. */
  readonly sequence: number;
  readonly keys: readonly KeyState[];
}

export type CreateKeyResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'user-not-found' | 'name-taken' };

/** Users and their API keys. Every change bumps one sequence number that gateways poll. */
export interface IdentityRepository {
  /** False when a user with this email exists already. */
  addUser(user: { email: string; groups: readonly string[]; passwordHash: string | null }): Promise<boolean>;
  findUser(email: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** False when there is no such user. */
  setGroups(email: string, groups: readonly string[]): Promise<boolean>;
  setPassword(email: string, passwordHash: string): Promise<boolean>;
  createKey(key: { email: string; name: string; keyHash: string; prefix: string }): Promise<CreateKeyResult>;
  /** Live keys (not deleted), of one user or of everyone. */
  listKeys(email?: string): Promise<KeyRecord[]>;
  /** False when there is no such live key. */
  setSuspended(email: string, name: string, suspended: boolean): Promise<boolean>;
  deleteKey(email: string, name: string): Promise<boolean>;
  /** Every key (deleted ones as tombstones) changed after `sequence`, directly or through its user. */
  changesSince(sequence: number): Promise<IdentityChanges>;
  /** Records when keys were last used (batched by the gateway). */
  touchKeys(lastUsed: ReadonlyMap<string, string>): Promise<void>;
}

export function createIdentityRepository(db: Kysely<Database>, write: WriteTransaction): IdentityRepository {
  const now = () => new Date().toISOString();
  const bump = async (tx: Kysely<Database>): Promise<number> => {
    const row = await tx
      .updateTable('identity_sequence')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('id', '=', 1)
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  };
  const userId = async (tx: Kysely<Database>, email: string) =>
    (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id;
  const toUser = (row: { email: string; groups: string; password_hash: string | null; created_at: string }): UserRecord => ({
    email: row.email,
    groups: JSON.parse(row.groups) as string[],
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  });

  return {
    async addUser({ email, groups, passwordHash }) {
      return write(async (tx) => {
        if ((await userId(tx, email)) !== undefined) return false;
        const seq = await bump(tx);
        await tx
          .insertInto('users')
          .values({ email, groups: JSON.stringify([...new Set(groups)].sort()), password_hash: passwordHash, created_at: now(), seq })
          .execute();
        return true;
      });
    },

    async findUser(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },

    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('email').execute()).map(toUser);
    },

    async setGroups(email, groups) {
      return write(async (tx) => {
        if ((await userId(tx, email)) === undefined) return false;
        const seq = await bump(tx);
        await tx.updateTable('users').set({ groups: JSON.stringify([...new Set(groups)].sort()), seq }).where('email', '=', email).execute();
        return true;
      });
    },

    async setPassword(email, passwordHash) {
      const result = await db.updateTable('users').set({ password_hash: passwordHash }).where('email', '=', email).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async createKey({ email, name, keyHash, prefix }) {
      return write(async (tx): Promise<CreateKeyResult> => {
        const id = await userId(tx, email);
        if (id === undefined) return { ok: false, reason: 'user-not-found' };
        const taken = await tx
          .selectFrom('api_keys')
          .select('id')
          .where('user_id', '=', id)
          .where('name', '=', name)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (taken !== undefined) return { ok: false, reason: 'name-taken' };
        const seq = await bump(tx);
        await tx
          .insertInto('api_keys')
          .values({ user_id: id, name, key_hash: keyHash, prefix, suspended: 0, created_at: now(), last_used_at: null, deleted_at: null, seq })
          .execute();
        return { ok: true };
      });
    },

    async listKeys(email) {
      let query = db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .select(['users.email', 'api_keys.name', 'api_keys.prefix', 'api_keys.suspended', 'api_keys.created_at', 'api_keys.last_used_at'])
        .where('api_keys.deleted_at', 'is', null);
      if (email !== undefined) query = query.where('users.email', '=', email);
      const rows = await query.orderBy('users.email').orderBy('api_keys.name').execute();
      return rows.map((row) => ({
        email: row.email,
        name: row.name,
        prefix: row.prefix,
        suspended: row.suspended === 1,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
      }));
    },

    async setSuspended(email, name, suspended) {
      return updateLiveKey(email, name, { suspended: suspended ? 1 : 0 });
    },

    async deleteKey(email, name) {
      return updateLiveKey(email, name, { deleted_at: now() });
    },

    async changesSince(sequence) {
      return db.transaction().execute(async (tx) => {
        const current = Number((await tx.selectFrom('identity_sequence').select('value').where('id', '=', 1).executeTakeFirstOrThrow()).value);
        if (current <= sequence) return { sequence: current, keys: [] };
        const rows = await tx
          .selectFrom('api_keys')
          .innerJoin('users', 'users.id', 'api_keys.user_id')
          .select(['api_keys.key_hash', 'users.email', 'api_keys.name', 'users.groups', 'api_keys.suspended', 'api_keys.deleted_at'])
          .where((eb) => eb.or([eb('api_keys.seq', '>', sequence), eb('users.seq', '>', sequence)]))
          .execute();
        return {
          sequence: current,
          keys: rows.map((row) => ({
            keyHash: row.key_hash,
            email: row.email,
            name: row.name,
            groups: JSON.parse(row.groups) as string[],
            suspended: row.suspended === 1,
            deleted: row.deleted_at !== null,
          })),
        };
      });
    },

    async touchKeys(lastUsed) {
      if (lastUsed.size === 0) return;
      // last_used_at is informational: it does not bump the sequence, so gateways do not reload.
      await write(async (tx) => {
        for (const [keyHash, at] of lastUsed) await tx.updateTable('api_keys').set({ last_used_at: at }).where('key_hash', '=', keyHash).execute();
      });
    },
  };

  async function updateLiveKey(email: string, name: string, changes: { suspended?: number; deleted_at?: string }): Promise<boolean> {
    return write(async (tx) => {
      const id = await userId(tx, email);
      if (id === undefined) return false;
      const key = await tx
        .selectFrom('api_keys')
        .select('id')
        .where('user_id', '=', id)
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (key === undefined) return false;
      const seq = await bump(tx);
      await tx.updateTable('api_keys').set({ ...changes, seq }).where('id', '=', key.id).execute();
      return true;
    });
  }
}
