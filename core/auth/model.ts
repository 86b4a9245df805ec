/** The auth domain's entities. Times are epoch milliseconds from the injected Clock. */

export const Roles = ['user', 'admin'] as const;
export type Role = (typeof Roles)[number];
export const isRole = (value: unknown): value is Role => (Roles as readonly unknown[]).includes(value);

export interface User {
  readonly id: string;
  /** Normalised: trimmed and lower-case (see `normaliseEmail`). Unique, compared case-insensitively. */
  readonly email: string;
  readonly name: string;
  /** Opaque string produced by the PasswordHasher; never leaves the auth service. */
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly isActive: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastLoginAt: number | null;
  /** Optimistic-concurrency version: 1 on creation, +1 on every stored update. */
  readonly version: number;
}

export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/**
 * One refresh token of a session (its family: every refresh token a login led to). Only the
 * digest is stored. `usedAt` is set when it was exchanged; presenting it again is reuse.
 */
export interface RefreshToken {
  readonly digest: string;
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/**
 * A token signing key as auth stores it (docs/adr/0022). The newest unretired key signs; a retired
 * key still verifies until the last token it signed has expired.
 */
export interface SigningKey {
  readonly kid: string;
  /** The public key as a JWK, JSON text. */
  readonly publicJwk: string;
  /** The private key, PKCS#8 PEM. Never leaves the auth service. */
  readonly privateKey: string;
  readonly createdAt: number;
  readonly retiredAt: number | null;
}

/** Resource-scoped access, e.g. to one project. */
export const GrantRoles = ['owner', 'editor', 'viewer'] as const;
export type GrantRole = (typeof GrantRoles)[number];
export const isGrantRole = (value: unknown): value is GrantRole => (GrantRoles as readonly unknown[]).includes(value);

export interface ResourceGrant {
  readonly userId: string;
  readonly resourceId: string;
  readonly role: GrantRole;
}

/** What the user may see of their own account: the user without the password hash or version. */
export interface Profile {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly isActive: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastLoginAt: number | null;
}

/**
 * The one spelling of an email: trimmed, lower-cased (the whole address, local part too: no two
 * accounts differ only by case) and in Unicode NFC, so that a composed and a decomposed `é` are one
 * address. Which characters an email may hold at all is `checkEmail`'s rule (docs/adr/0035).
 */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase().normalize('NFC');

export const isAdmin = (user: Pick<User, 'roles'>): boolean => user.roles.includes('admin');

/** Roles deduplicated, in catalogue order. */
export const canonicalRoles = (roles: readonly Role[]): Role[] => Roles.filter((role) => roles.includes(role));

export type SessionState = 'active' | 'revoked' | 'expired';

export const sessionState = (session: Session, now: number): SessionState => {
  if (session.revokedAt !== null) return 'revoked';
  return session.expiresAt <= now ? 'expired' : 'active';
};

export const toProfile = (user: User): Profile => ({
  id: user.id,
  email: user.email,
  name: user.name,
  roles: [...user.roles],
  isActive: user.isActive,
  createdAt: user.createdAt,
  updatedAt: user.updatedAt,
  lastLoginAt: user.lastLoginAt,
});

/** What an administrator (or the `create-admin` command) did, as the audit log keeps it (docs/adr/0054). */
export const AuditActions = [
  'create_admin',
  'promote_admin',
  'assign_roles',
  'deactivate_user',
  'reactivate_user',
  'publish_announcement',
] as const;
export type AuditAction = (typeof AuditActions)[number];

/** The actor of a change made on the command line (`npm run admin`), which has no user. */
export const COMMAND_LINE_ACTOR = 'command-line';

/** One audited change: who (`actorId`, a user id or `command-line`) did what, when, to whom. Append only. */
export interface AuditEntry {
  readonly id: string;
  readonly at: number;
  readonly actorId: string;
  readonly action: AuditAction;
  /** The user it was done to; null for an announcement. */
  readonly targetUserId: string | null;
  /** What was done, in words and values: emails at the time, roles before and after, the announcement's id. */
  readonly detail: Readonly<Record<string, string>>;
}

export const AnnouncementKinds = ['info', 'maintenance'] as const;
export type AnnouncementKind = (typeof AnnouncementKinds)[number];
export const isAnnouncementKind = (value: unknown): value is AnnouncementKind => (AnnouncementKinds as readonly unknown[]).includes(value);

/**
 * A system-wide message on `system:announcements`. A maintenance announcement names its window
 * (`startsAt` to `endsAt`); an info one is current from its publication until `endsAt`.
 */
export interface Announcement {
  readonly id: string;
  readonly kind: AnnouncementKind;
  readonly message: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly createdAt: number;
}
