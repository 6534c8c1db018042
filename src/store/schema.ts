import type { Generated } from 'kysely';

// Table shapes, portable between SQLite and PostgreSQL: booleans are 0/1 integers and times are
// ISO-8601 strings, so both dialects read and write the same values.

export interface UsersTable {
  id: Generated<number>;
  email: string;
  /** JSON array of group names, sorted. */
  groups: string;
  password_hash: string | null;
  created_at: string;
  /** Identity change sequence of the last change to this row (see IdentitySequenceTable). */
  seq: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  key_hash: string;
  /** The first characters of the key (`gg_ab12`), so a user can tell keys apart. */
  prefix: string;
  suspended: number;
  created_at: string;
  last_used_at: string | null;
  /** Set when deleted: the row stays as a tombstone so every gateway learns of the deletion. */
  deleted_at: string | null;
  seq: number;
}

/** One row: the last identity change sequence number, which gateways poll to stay in sync. */
export interface IdentitySequenceTable {
  id: number;
  value: number;
}

export interface DeploymentsTable {
  id: Generated<number>;
  revision: string;
  parent: string | null;
  author: string | null;
  message: string | null;
  committed_at: string | null;
  attempted_at: string;
  /** What started the attempt: start, poll, webhook, sync, pin, rollback, reload. */
  trigger: string;
  /** applied, rejected or rolled-back. */
  result: string;
  /** Why a revision was rejected without diagnostics (unsigned commit, unreadable tree). */
  reason: string | null;
  errors: number;
  warnings: number;
  /** JSON array of lint diagnostics. */
  diagnostics: string;
  /** JSON impact summary of the change (when computed). */
  impact: string | null;
  config_hash: string | null;
  /** JSON RuntimeConfig, kept for applied revisions so a restart serves without git. */
  config: string | null;
}

export interface ControlStateTable {
  key: string;
  value: string;
}

export interface UsageHourlyTable {
  /** `2026-11-26T14:00:00Z` */
  hour: string;
  api: string;
  /** The operation set that granted the request, or `*`. */
  operation: string;
  email: string;
  key_name: string;
  requests: number;
}

export interface UsageSecondsTable {
  /** Unix time in seconds. */
  second: number;
  api: string;
  email: string;
  key_name: string;
  requests: number;
}

export interface SessionsTable {
  token_hash: string;
  email: string;
  created_at: string;
  expires_at: string;
}

export interface InvitationsTable {
  token_hash: string;
  email: string;
  /** JSON array of groups given on sign-up. */
  groups: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  identity_sequence: IdentitySequenceTable;
  deployments: DeploymentsTable;
  control_state: ControlStateTable;
  usage_hourly: UsageHourlyTable;
  usage_seconds: UsageSecondsTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
}
