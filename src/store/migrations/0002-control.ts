import type { Kysely } from 'kysely';
import { autoId, type DialectName } from '../dialect.js';

// Released migrations never change: add a new numbered file instead.

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const [idType, id] = autoId(dialect);
  await db.schema
    .createTable('deployments')
    .addColumn('id', idType, id)
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('parent', 'text')
    .addColumn('author', 'text')
    .addColumn('message', 'text')
    .addColumn('committed_at', 'text')
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warnings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('diagnostics', 'text', (c) => c.notNull())
    .addColumn('impact', 'text')
    .addColumn('config_hash', 'text')
    .addColumn('config', 'text')
    .execute();
  await db.schema.createIndex('deployments_result').on('deployments').columns(['result', 'id']).execute();
  await db.schema
    .createTable('control_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('usage_hourly')
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('api', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_hourly_pk', ['hour', 'api', 'operation', 'email', 'key_name'])
    .execute();
}
