import type { Selectable } from 'kysely';
import type { IdempotencyTables } from '../idempotency/idempotency-table.js';
import type { OutboxTables } from '../outbox/outbox-table.js';

/** The auth service's tables (schema `auth`), as kysely sees them. Times are epoch ms (BIGINT). */
export interface AuthTables extends OutboxTables, IdempotencyTables {
  users: UsersTable;
  sessions: SessionsTable;
  resource_grants: ResourceGrantsTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  audit_log: AuditLogTable;
  announcements: AnnouncementsTable;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_id: string;
  action: string;
  target_user_id: string | null;
  /** JSON object of strings. */
  detail: string;
}

export interface AnnouncementsTable {
  id: string;
  kind: string;
  message: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  public_jwk: string;
  private_key: string;
  created_at: number;
  retired_at: number | null;
}

export interface RefreshTokensTable {
  digest: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface UsersTable {
  id: string;
  /** As given by the domain (normalised there). */
  email: string;
  /** `normaliseEmail(email)`; unique (constraint `users_email_key_unique`). */
  email_key: string;
  name: string;
  password_hash: string;
  roles: string[];
  is_active: boolean;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  version: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface ResourceGrantsTable {
  user_id: string;
  resource_id: string;
  role: string;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ResourceGrantRow = Selectable<ResourceGrantsTable>;

/** The unique constraint behind `email_taken`. */
export const UserEmailUnique = 'users_email_key_unique';
