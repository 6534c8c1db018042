import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from './sqlite.js';
import { openStore, type Store } from './store.js';

let scratch: string;
const opened: Store[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-store-'));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
});

async function open(dataDir: string): Promise<Store> {
  const store = await openStore({ dataDir });
  opened.push(store);
  return store;
}

async function close(store: Store): Promise<void> {
  opened.splice(opened.indexOf(store), 1);
  await store.close();
}

/** Reads the database file directly, as another tool would. */
function inspect<T>(dataDir: string, read: (db: SQLite.Database) => T): T {
  const db = new SQLite(path.join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const tables = (db: SQLite.Database) =>
  (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[]).map((r) => r.name);
const migrations = (db: SQLite.Database) => (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);

describe('openStore', () => {
  it('creates the data directory, the SQLite file and the schema on a fresh directory', async () => {
    const dataDir = path.join(scratch, 'nested', 'data');
    const store = await open(dataDir);
    expect(existsSync(path.join(dataDir, SQLITE_FILE))).toBe(true);
    // The data directory holds password and key hashes: only its owner may read it.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    await close(store);
    expect(inspect(dataDir, tables)).toEqual(expect.arrayContaining(['api_keys', 'identity_sequence', 'kysely_migration', 'users']));
    expect(inspect(dataDir, migrations)).toEqual(['0001-identity', '0002-control', '0003-usage-seconds', '0004-portal']);
    expect(inspect(dataDir, (db) => db.prepare('select id, value from identity_sequence').all())).toEqual([{ id: 1, value: 0 }]);
  });

  it('opens an existing directory again without re-running migrations or losing data', async () => {
    const first = await open(scratch);
    expect(await first.identity.addUser({ email: 'ada@example.com', groups: ['crm'], passwordHash: null })).toBe(true);
    const { sequence } = await first.identity.changesSince(0);
    await close(first);

    const second = await open(scratch);
    expect((await second.identity.findUser('ada@example.com'))?.groups).toEqual(['crm']);
    expect((await second.identity.changesSince(0)).sequence).toBe(sequence);
    await close(second);
    expect(inspect(scratch, migrations)).toEqual(['0001-identity', '0002-control', '0003-usage-seconds', '0004-portal']);
    expect(inspect(scratch, (db) => db.prepare('select count(*) as n from identity_sequence').get())).toEqual({ n: 1 });
  });

  it('lets several processes open a migrated directory at the same time', async () => {
    await close(await open(scratch));
    const stores = await Promise.all([open(scratch), open(scratch), open(scratch)]);
    expect(await stores[0]!.identity.addUser({ email: 'a@example.com', groups: [], passwordHash: null })).toBe(true);
    expect(await stores[2]!.identity.findUser('a@example.com')).toBeDefined();
  });

  it('lets two processes open a fresh directory at the same time (gitgate serve and a CLI command)', async () => {
    const stores = await Promise.all([open(scratch), open(scratch)]);
    expect(await stores[0]!.identity.addUser({ email: 'a@example.com', groups: [], passwordHash: null })).toBe(true);
    expect(await stores[1]!.identity.findUser('a@example.com')).toBeDefined();
    expect(inspect(scratch, migrations)).toEqual(['0001-identity', '0002-control', '0003-usage-seconds', '0004-portal']);
  });

  it('shares one file between connections: a write through one is read through the other', async () => {
    const writer = await open(scratch);
    const reader = await open(scratch);
    await writer.identity.addUser({ email: 'ada@example.com', groups: ['g'], passwordHash: null });
    expect(await reader.identity.listUsers()).toHaveLength(1);
  });

  it('refuses to open a directory whose database file is not SQLite, saying so', async () => {
    await writeFile(path.join(scratch, SQLITE_FILE), 'this is not a database, just some text that is long enough '.repeat(20));
    await expect(openStore({ dataDir: scratch })).rejects.toThrow(/not a database/i);
  });
});
