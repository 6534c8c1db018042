import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

/** A data directory that cannot hold the database (not a directory, not writable, not SQLite). */
export class StoreOpenError extends Error {
  readonly code = 'ERR_STORE_OPEN';
}

/** The SQLite file inside a data directory. */
export const SQLITE_FILE = 'gitgate.db';

/**
 * Opens (creating if needed) the SQLite database of a data directory. WAL lets the gateway read
 * while the CLI writes from another process; the busy timeout makes concurrent writers wait
 * instead of failing.
 */
export function openSqlite(dataDir: string): Kysely<Database> {
  const file = path.join(dataDir, SQLITE_FILE);
  let database: SQLite.Database;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    database = new SQLite(file);
    // The busy timeout first: switching to WAL may itself wait for another process.
    database.pragma('busy_timeout = 5000');
    database.pragma('journal_mode = WAL');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? '';
    throw new StoreOpenError(`the data directory ${dataDir} cannot be used: ${(error as Error).message.replace(/^[A-Z_]+: /, '')}${reason.startsWith('SQLITE') ? ` (${file})` : ''}`, { cause: error });
  }
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/**
 * Runs `work` in a write transaction. SQLite needs `BEGIN IMMEDIATE`: a plain `BEGIN` that reads
 * first and writes later cannot wait for another process's write lock in WAL mode (it fails at
 * once with SQLITE_BUSY), while an immediate one takes the lock up front, honouring the busy
 * timeout.
 */
export function writeTransaction<T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}
