import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as identity from './0001-identity.js';
import * as control from './0002-control.js';
import * as usageSeconds from './0003-usage-seconds.js';
import * as portal from './0004-portal.js';

type Step = { up(db: Kysely<unknown>, dialect: DialectName): Promise<void> };

/** Numbered migrations, applied in order; a released one never changes. */
const STEPS: Readonly<Record<string, Step>> = {
  '0001-identity': identity,
  '0002-control': control,
  '0003-usage-seconds': usageSeconds,
  '0004-portal': portal,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) migrations[name] = { up: (db) => step.up(db, dialect) };
  return { getMigrations: async () => migrations };
}
