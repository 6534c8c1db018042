import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { createDeploymentRepository, type DeploymentRepository } from './deployment-repository.js';
import { createIdentityRepository, type IdentityRepository } from './identity-repository.js';
import { createPortalRepository, type PortalRepository } from './portal-repository.js';
import { createUsageRepository, type UsageRepository } from './usage-repository.js';
import type { Database } from './schema.js';
import { openSqlite, writeTransaction } from './sqlite.js';

/** Runs work in a transaction that writes (the dialect decides how to take the write lock). */
export type WriteTransaction = <T>(work: (tx: Kysely<Database>) => Promise<T>) => Promise<T>;

/** Persistence for every aggregate; one repository each. */
export interface Store {
  readonly identity: IdentityRepository;
  readonly deployments: DeploymentRepository;
  readonly usage: UsageRepository;
  readonly portal: PortalRepository;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** The data directory holding `gitgate.db` (SQLite, the default). */
  readonly dataDir: string;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const db = openSqlite(options.dataDir);
  // Two processes opening a new data directory at once (serve and users add) race on the first
  // migrations: the loser finds tables the winner made. Trying again once the winner is done
  // sees the migrations recorded; give up after about five seconds.
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db);
      break;
    } catch (error) {
      if (attempt >= 50) {
        await db.destroy();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const write: WriteTransaction = (work) => writeTransaction(db, work);
  return {
    identity: createIdentityRepository(db, write),
    deployments: createDeploymentRepository(db, write),
    usage: createUsageRepository(db, write),
    portal: createPortalRepository(db, write),
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
