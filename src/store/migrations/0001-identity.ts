import type { Kysely } from 'kysely';
import { autoId, type DialectName } from '../dialect.js';

// Released migrations never change: add a new numbered file instead.

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const [idType, id] = autoId(dialect);
  await db.schema
    .createTable('users')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('id', idType, id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_seq').on('api_keys').column('seq').execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').columns(['user_id', 'name']).execute();
  await db.schema.createIndex('users_seq').on('users').column('seq').execute();
  await db.schema
    .createTable('identity_sequence')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('identity_sequence' as never).values({ id: 1, value: 0 } as never).execute();
}
