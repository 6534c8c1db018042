import type { Kysely, Selectable } from 'kysely';
import type { Database, DeploymentsTable } from './schema.js';
import type { WriteTransaction } from './store.js';

export type DeploymentResult = 'applied' | 'rejected' | 'rolled-back';

/** One attempt to deploy a revision, as recorded (diagnostics and config as JSON values). */
export interface DeploymentRecord {
  readonly id: number;
  readonly revision: string;
  readonly parent: string | null;
  readonly author: string | null;
  readonly message: string | null;
  readonly committedAt: string | null;
  readonly attemptedAt: string;
  readonly trigger: string;
  readonly result: DeploymentResult;
  readonly reason: string | null;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly unknown[];
  readonly impact: unknown;
  readonly configHash: string | null;
}

export type NewDeployment = Omit<DeploymentRecord, 'id'> & { readonly config: unknown };

export interface DeploymentRepository {
  record(deployment: NewDeployment): Promise<number>;
  /** Newest first. */
  list(page: { offset: number; limit: number }): Promise<{ total: number; items: DeploymentRecord[] }>;
  get(id: number): Promise<DeploymentRecord | undefined>;
  /**
   * The newest deployment that put a configuration in service (applied or rolled back to), with
   * the configuration when it was stored in the row (older deployments; newer ones keep it in a
   * file named by its hash).
   */
  lastGood(): Promise<{ record: DeploymentRecord; config: unknown } | undefined>;
  /** Applied and rolled-back deployments before `id`, newest first (rollback targets). */
  goodBefore(id: number, limit: number): Promise<DeploymentRecord[]>;
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string | undefined): Promise<void>;
}

export function createDeploymentRepository(db: Kysely<Database>, write: WriteTransaction): DeploymentRepository {
  const toRecord = (row: Selectable<DeploymentsTable>): DeploymentRecord => ({
    id: row.id,
    revision: row.revision,
    parent: row.parent,
    author: row.author,
    message: row.message,
    committedAt: row.committed_at,
    attemptedAt: row.attempted_at,
    trigger: row.trigger,
    result: row.result as DeploymentResult,
    reason: row.reason,
    errors: Number(row.errors),
    warnings: Number(row.warnings),
    diagnostics: JSON.parse(row.diagnostics) as unknown[],
    impact: row.impact === null ? null : (JSON.parse(row.impact) as unknown),
    configHash: row.config_hash,
  });
  const withoutConfig = [
    'id', 'revision', 'parent', 'author', 'message', 'committed_at', 'attempted_at', 'trigger', 'result', 'reason', 'errors', 'warnings', 'diagnostics', 'impact', 'config_hash',
  ] as const;
  return {
    async record(d) {
      return write(async (tx) => {
        const row = await tx
          .insertInto('deployments')
          .values({
            revision: d.revision,
            parent: d.parent,
            author: d.author,
            message: d.message,
            committed_at: d.committedAt,
            attempted_at: d.attemptedAt,
            trigger: d.trigger,
            result: d.result,
            reason: d.reason,
            errors: d.errors,
            warnings: d.warnings,
            diagnostics: JSON.stringify(d.diagnostics),
            impact: d.impact === null || d.impact === undefined ? null : JSON.stringify(d.impact),
            config_hash: d.configHash,
            config: d.config === null || d.config === undefined ? null : JSON.stringify(d.config),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return Number(row.id);
      });
    },
    async list({ offset, limit }) {
      const total = Number((await db.selectFrom('deployments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await db.selectFrom('deployments').select(withoutConfig).orderBy('id', 'desc').offset(offset).limit(limit).execute();
      return { total, items: rows.map((row) => toRecord(row as Selectable<DeploymentsTable>)) };
    },
    async get(id) {
      const row = await db.selectFrom('deployments').select(withoutConfig).where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row as Selectable<DeploymentsTable>);
    },
    async lastGood() {
      const row = await db
        .selectFrom('deployments')
        .selectAll()
        .where('result', 'in', ['applied', 'rolled-back'])
        .where('config_hash', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : { record: toRecord(row), config: row.config === null ? undefined : (JSON.parse(row.config) as unknown) };
    },
    async goodBefore(id, limit) {
      const rows = await db
        .selectFrom('deployments')
        .select(withoutConfig)
        .where('result', 'in', ['applied', 'rolled-back'])
        .where('id', '<', id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => toRecord(row as Selectable<DeploymentsTable>));
    },
    async getState(key) {
      return (await db.selectFrom('control_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },
    async setState(key, value) {
      await write(async (tx) => {
        await tx.deleteFrom('control_state').where('key', '=', key).execute();
        if (value !== undefined) await tx.insertInto('control_state').values({ key, value }).execute();
      });
    },
  };
}
