import type { Kysely } from 'kysely';

// Released migrations never change: add a new numbered file instead.

/** Requests per second, kept a day, so a lower rate limit can be replayed against real traffic. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_seconds')
    .addColumn('second', 'bigint', (c) => c.notNull())
    .addColumn('api', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_seconds_pk', ['second', 'api', 'email', 'key_name'])
    .execute();
}
