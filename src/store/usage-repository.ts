import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { WriteTransaction } from './store.js';

/** Requests of one consumer key on one API and operation in one hour. */
export interface UsageRow {
  readonly hour: string;
  readonly api: string;
  readonly operation: string;
  readonly email: string;
  readonly keyName: string;
  readonly requests: number;
}

/** Requests of one consumer key on one API in one second. */
export interface UsageSecondRow {
  readonly second: number;
  readonly api: string;
  readonly email: string;
  readonly keyName: string;
  readonly requests: number;
}

export interface UsageRepository {
  /** Adds counts (upsert by hour, API, operation, consumer and key), and per-second counts. */
  add(rows: readonly UsageRow[], seconds?: readonly UsageSecondRow[]): Promise<void>;
  /** Per-second rows since `from` (Unix seconds), optionally for one API. */
  querySeconds(options: { from: number; api?: string }): Promise<UsageSecondRow[]>;
  /** Deletes seconds older than `before` (Unix seconds). */
  pruneSeconds(before: number): Promise<number>;
  /** Rows since `from` (inclusive), optionally for one API. */
  query(options: { from: string; api?: string }): Promise<UsageRow[]>;
  /** Deletes hours older than `before`. */
  prune(before: string): Promise<number>;
}

export function createUsageRepository(db: Kysely<Database>, write: WriteTransaction): UsageRepository {
  return {
    async add(rows, seconds = []) {
      if (rows.length === 0 && seconds.length === 0) return;
      await write(async (tx) => {
        for (const row of seconds) {
          await tx
            .insertInto('usage_seconds')
            .values({ second: row.second, api: row.api, email: row.email, key_name: row.keyName, requests: row.requests })
            .onConflict((oc) => oc.columns(['second', 'api', 'email', 'key_name']).doUpdateSet({ requests: sql`usage_seconds.requests + excluded.requests` }))
            .execute();
        }
        for (const row of rows) {
          await tx
            .insertInto('usage_hourly')
            .values({ hour: row.hour, api: row.api, operation: row.operation, email: row.email, key_name: row.keyName, requests: row.requests })
            .onConflict((oc) => oc.columns(['hour', 'api', 'operation', 'email', 'key_name']).doUpdateSet({ requests: sql`usage_hourly.requests + excluded.requests` }))
            .execute();
        }
      });
    },
    async query({ from, api }) {
      let query = db.selectFrom('usage_hourly').selectAll().where('hour', '>=', from);
      if (api !== undefined) query = query.where('api', '=', api);
      const rows = await query.orderBy('hour').orderBy('api').orderBy('email').orderBy('key_name').orderBy('operation').execute();
      return rows.map((r) => ({ hour: r.hour, api: r.api, operation: r.operation, email: r.email, keyName: r.key_name, requests: Number(r.requests) }));
    },
    async querySeconds({ from, api }) {
      let query = db.selectFrom('usage_seconds').selectAll().where('second', '>=', from);
      if (api !== undefined) query = query.where('api', '=', api);
      const rows = await query.orderBy('second').orderBy('api').orderBy('email').orderBy('key_name').execute();
      return rows.map((r) => ({ second: Number(r.second), api: r.api, email: r.email, keyName: r.key_name, requests: Number(r.requests) }));
    },
    async pruneSeconds(before) {
      const result = await write((tx) => tx.deleteFrom('usage_seconds').where('second', '<', before).executeTakeFirst());
      return Number(result.numDeletedRows);
    },
    async prune(before) {
      const result = await write((tx) => tx.deleteFrom('usage_hourly').where('hour', '<', before).executeTakeFirst());
      return Number(result.numDeletedRows);
    },
  };
}
