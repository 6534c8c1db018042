import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { WriteTransaction } from './store.js';

export interface Invitation {
  readonly email: string;
  readonly groups: readonly string[];
  readonly expiresAt: string;
}

/** Portal sessions and sign-up invitations, both stored by the hash of their token. */
export interface PortalRepository {
  createSession(tokenHash: string, email: string, expiresAt: string): Promise<void>;
  /** The session's email while it has not expired. */
  findSession(tokenHash: string, now: string): Promise<string | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
  createInvitation(tokenHash: string, invitation: Invitation): Promise<void>;
  /** Whether an invitation is unused, unexpired and for this email (without using it). */
  isInvitationValid(tokenHash: string, email: string, now: string): Promise<boolean>;
  /** Marks an unused, unexpired invitation for this email used and returns it (once). */
  useInvitation(tokenHash: string, email: string, now: string): Promise<Invitation | undefined>;
}

export function createPortalRepository(db: Kysely<Database>, write: WriteTransaction): PortalRepository {
  return {
    async createSession(tokenHash, email, expiresAt) {
      await write((tx) => tx.insertInto('sessions').values({ token_hash: tokenHash, email, created_at: new Date().toISOString(), expires_at: expiresAt }).execute());
    },
    async findSession(tokenHash, now) {
      const row = await db.selectFrom('sessions').select(['email', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined || row.expires_at <= now ? undefined : row.email;
    },
    async deleteSession(tokenHash) {
      await write((tx) => tx.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute());
    },
    async deleteExpiredSessions(now) {
      const result = await write((tx) => tx.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst());
      return Number(result.numDeletedRows);
    },
    async createInvitation(tokenHash, invitation) {
      await write((tx) =>
        tx
          .insertInto('invitations')
          .values({ token_hash: tokenHash, email: invitation.email, groups: JSON.stringify(invitation.groups), created_at: new Date().toISOString(), expires_at: invitation.expiresAt, used_at: null })
          .execute(),
      );
    },
    async isInvitationValid(tokenHash, email, now) {
      const row = await db.selectFrom('invitations').select(['email', 'used_at', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row !== undefined && row.used_at === null && row.expires_at > now && row.email === email;
    },
    async useInvitation(tokenHash, email, now) {
      return write(async (tx) => {
        const row = await tx.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
        // Someone else's email does not use the invitation up.
        if (row === undefined || row.used_at !== null || row.expires_at <= now || row.email !== email) return undefined;
        await tx.updateTable('invitations').set({ used_at: now }).where('token_hash', '=', tokenHash).execute();
        return { email: row.email, groups: JSON.parse(row.groups) as string[], expiresAt: row.expires_at };
      });
    },
  };
}
