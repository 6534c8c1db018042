import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { createIdentityRepository, type IdentityRepository } from './identity-repository.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';

/** Persistence for every aggregate; one repository each. */
export interface Store {
  readonly identity: IdentityRepository;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** The data directory holding `gitgate.db` (SQLite, the default). */
  readonly dataDir: string;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const db = openSqlite(options.dataDir);
  await migrate(db);
  return {
    identity: createIdentityRepository(db),
    close: () => db.destroy(),
  };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider('sqlite') }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}
