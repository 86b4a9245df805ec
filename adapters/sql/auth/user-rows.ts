import { isRole, normaliseEmail, type User } from '../../../core/auth/model.js';
import type { UserRow, UsersTable } from './auth-tables.js';

export const toUserRow = (user: User): UsersTable => ({
  id: user.id,
  email: user.email,
  email_key: normaliseEmail(user.email),
  name: user.name,
  password_hash: user.passwordHash,
  roles: [...user.roles],
  is_active: user.isActive,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
  last_login_at: user.lastLoginAt,
  version: user.version,
});

export const fromUserRow = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  passwordHash: row.password_hash,
  roles: row.roles.filter(isRole),
  isActive: row.is_active,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastLoginAt: row.last_login_at,
  version: row.version,
});
