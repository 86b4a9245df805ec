import type { OutboxMessage } from '../messaging/outbox.js';
import type { Result } from '../shared/result.js';
import type { Announcement, AuditEntry, RefreshToken, ResourceGrant, Session, SigningKey, User } from './model.js';

/** Why a user write was not stored. Expected outcomes, returned rather than thrown. */
export type UserWriteConflict = 'email_taken' | 'stale_version' | 'not_found';

export interface UserRepository {
  /**
   * Stores a new user as given. Emails are unique compared case-insensitively: when another user
   * already has this email, nothing is stored and `email_taken` is returned. Safe under concurrent
   * calls: of two creates with the same email exactly one succeeds. A duplicate `id` is a fault (throws).
   * `outbox` is recorded in the same transaction, only when the user is stored, under the
   * aggregate `user:<id>` (docs/adr/0038).
   */
  create(user: User, outbox?: readonly OutboxMessage[], audit?: AuditEntry): Promise<Result<User, 'email_taken'>>;
  /** The user with this id, or undefined. Returns a copy: changing it changes nothing stored. */
  findById(id: string): Promise<User | undefined>;
  /** The user with this email compared case-insensitively, or undefined. */
  findByEmail(email: string): Promise<User | undefined>;
  /**
   * Replaces the stored user when its stored `version` still equals `user.version`, storing and
   * returning it with `version + 1`. A stale version gives `stale_version` and stores nothing (the
   * caller re-reads and decides); an unknown id gives `not_found`; an email held by another user
   * gives `email_taken`. `outbox` is recorded in the same transaction, only when the user is
   * stored, under the aggregate `user:<id>` (docs/adr/0038); so is `audit`, when given, in the
   * audit log (docs/adr/0054).
   */
  update(user: User, outbox?: readonly OutboxMessage[], audit?: AuditEntry): Promise<Result<User, UserWriteConflict>>;
  /**
   * One page of every user, oldest first: by `createdAt`, ties by `id` compared code unit by code unit.
   * Paging by cursor is stable: users registered between two calls neither repeat nor skip the others.
   */
  list(page: PageRequest<UserCursor>): Promise<Page<User, UserCursor>>;
}

/** A position in a listing: the last item of the previous page. */
export interface UserCursor {
  readonly createdAt: number;
  readonly id: string;
}

export interface PageRequest<C> {
  /** At most this many items (1..100). */
  readonly limit: number;
  /** Only items after this one in the listing order; absent starts at the beginning. */
  readonly after?: C;
}

export interface Page<T, C> {
  readonly items: T[];
  /** The cursor of the last item on this page when more follow; absent on the last page. */
  readonly next?: C;
}

/** A position in the audit log: the last entry of the previous page. */
export interface AuditCursor {
  readonly at: number;
  readonly id: string;
}

/**
 * The administrators' audit log (docs/adr/0054). Entries are written by the repositories in the
 * transaction of the change they record (`UserRepository.create`/`update`, `AnnouncementRepository.create`),
 * never on their own, so no change is stored without its entry and no entry without its change.
 */
export interface AuditLog {
  /** One page of entries, newest first: by `at` descending, ties by `id` descending. Stable under appends. */
  list(page: PageRequest<AuditCursor>): Promise<Page<AuditEntry, AuditCursor>>;
}

export interface AnnouncementRepository {
  /**
   * Stores the announcement with its audit entry and the messages that announce it (outbox,
   * docs/adr/0038), in one transaction, under the aggregate `announcement:<id>`. A duplicate id is a fault.
   */
  create(announcement: Announcement, audit: AuditEntry, outbox: readonly OutboxMessage[]): Promise<void>;
  /** The announcements with `endsAt` after `now`, newest first (by `createdAt`), at most `limit`. */
  listCurrent(now: number, limit: number): Promise<Announcement[]>;
}

/**
 * The `outbox` of a session or grant write is recorded in its transaction, only when the write
 * changes something, under the aggregate `user:<userId>` (docs/adr/0038, 0046), so a user's auth
 * events go out in the order of the writes.
 */
export interface SessionRepository {
  /** Stores a new session. A duplicate `id` is a fault (throws). */
  create(session: Session, outbox?: readonly OutboxMessage[]): Promise<void>;
  /** The session with this id (revoked and expired ones included), or undefined. */
  findById(id: string): Promise<Session | undefined>;
  /**
   * Marks the session revoked at `at`. Idempotent: resolves true only for the call that revoked it
   * (and only that call records `outbox`); an already revoked or unknown session resolves false and
   * keeps its first revocation time.
   */
  revoke(id: string, at: number, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /**
   * Revokes every unrevoked session of the user at `at`, except `exceptSessionId` when given.
   * Resolves the number of sessions this call revoked (0 when there were none). Idempotent.
   */
  revokeAllForUser(userId: string, at: number, exceptSessionId?: string): Promise<number>;
}

export interface RefreshTokenRepository {
  /** Stores a new refresh token. A duplicate digest is a fault (throws). */
  create(token: RefreshToken): Promise<void>;
  /** The refresh token with this digest (used and expired ones included), or undefined. */
  findByDigest(digest: string): Promise<RefreshToken | undefined>;
  /**
   * Marks the token used at `at`. Atomic: of concurrent calls exactly one resolves true; an already
   * used or unknown token resolves false and keeps its first use time.
   */
  markUsed(digest: string, at: number): Promise<boolean>;
}

export interface SigningKeyRepository {
  /** Stores a new key. Idempotent by kid: resolves false and changes nothing when the kid exists. */
  add(key: SigningKey): Promise<boolean>;
  /** Every stored key, newest first (by `createdAt`, then kid descending). */
  list(): Promise<SigningKey[]>;
  /** Retires every unretired key but `kid` at `at`; resolves how many it retired. */
  retireAllExcept(kid: string, at: number): Promise<number>;
  /** Deletes the keys retired before `before` (they verify nothing any more); resolves how many. */
  deleteRetiredBefore(before: number): Promise<number>;
}

/** Opaque random secrets (refresh tokens) and the digest under which they are stored. */
export interface OpaqueTokens {
  /** A fresh token with at least 256 bits of randomness, URL-safe. */
  generate(): string;
  /** A one-way digest of the token (deterministic), to store and look it up by. */
  digest(token: string): string;
}

export interface ResourceGrantRepository {
  /**
   * Upsert: the user's grant on the resource becomes `grant.role`, replacing any previous role.
   * Resolves true when that changed something (a new grant, another role) and records `outbox`
   * only then (see SessionRepository): granting the role the user holds already changes nothing and
   * records nothing, however many auth instances grant it at once.
   */
  grant(grant: ResourceGrant, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /** Removes the user's grant on the resource. Idempotent: resolves true only when a grant was removed, and records `outbox` only then. */
  revoke(userId: string, resourceId: string, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /** The user's grant on the resource, or undefined. */
  find(userId: string, resourceId: string): Promise<ResourceGrant | undefined>;
  /** Every grant on the resource, ordered by user id. */
  listForResource(resourceId: string): Promise<ResourceGrant[]>;
  /** Every grant the user holds, ordered by resource id. */
  listForUser(userId: string): Promise<ResourceGrant[]>;
}

/**
 * A PasswordHasher with all its workers busy and its queue full refuses at once with this, rather
 * than answering past every deadline; the use cases answer `password_hashing_busy`.
 */
export class PasswordHasherBusy extends Error {
  constructor(readonly retryAfterMs: number) {
    super('every password worker is busy and the queue is full');
    this.name = 'PasswordHasherBusy';
  }
}

export interface PasswordHasher {
  /** A self-describing hash (algorithm, cost and a fresh random salt): hashing twice gives different strings. May reject with PasswordHasherBusy. */
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches `hash`, compared in constant time. Hashes made with other cost
   * settings of the same algorithm still verify. Rejects when `hash` is not one this hasher makes,
   * and with PasswordHasherBusy when it is saturated.
   */
  verify(password: string, hash: string): Promise<boolean>;
}

/** What an access token asserts. `expiresAt` is epoch ms, whole seconds (JWT NumericDate). */
export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly expiresAt: number;
}

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms, truncated to whole seconds as encoded in the token. */
  readonly expiresAt: number;
}

/** Why a token was not accepted: not a token of ours, forged or altered, or past its expiry. */
export type TokenRejection = 'malformed' | 'bad_signature' | 'expired';

export interface TokenIssuer {
  /** Signs the claims; the token expires at `claims.expiresAt` (rounded down to the second). */
  issue(claims: AccessClaims): Promise<IssuedToken>;
  /**
   * The claims of a token this issuer signed, checked against the issuer's Clock; or why not.
   * The signature is checked before the expiry, so a forged expired token is `bad_signature`.
   */
  verify(token: string): Promise<Result<AccessClaims, TokenRejection>>;
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface EmailSender {
  /**
   * Hands the message to the mail transport; resolves once it is accepted, rejects when it is not
   * (the email job is then redelivered). Jobs are delivered at least once, so a message may be
   * sent twice after a crash.
   */
  send(message: EmailMessage): Promise<void>;
}

/** How long failures count, and how many of a key are kept: at most `max` within `windowMs`. */
export interface FailureWindow {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Failed-login times per key (an account or a client address), shared by every auth instance that
 * uses the same log. Times are epoch ms from the caller's clock. A failure counts while it is within
 * `windowMs` of the time asked about; a key keeps only its last `max` failures, and one with no
 * failure left in the window may be forgotten. Keys are opaque strings; an adapter must not need
 * them in the clear (the Redis one stores a hash).
 */
export interface LoginFailureLog {
  /** Adds one failure of `key` at `at`, dropping its failures older than `at - windowMs` and all but the last `max`. */
  record(key: string, at: number, window: FailureWindow): Promise<void>;
  /** The failure times of `key` after `now - windowMs`, oldest first, at most the last `max` of them. */
  recent(key: string, now: number, window: FailureWindow): Promise<number[]>;
  /**
   * Reserves one attempt of `key` at `at`, atomically: drops its failures older than `at - windowMs`,
   * then, when fewer than `max` remain, records one at `at` (counted as a failure until released) and
   * resolves its id; otherwise records nothing and resolves when the oldest counting one ages out.
   * Of concurrent reservations on one store, at most `max` within a window are granted.
   */
  reserve(key: string, at: number, window: FailureWindow): Promise<AttemptReservation>;
  /** Takes back one reserved attempt (the login succeeded, or another key refused it). Idempotent. */
  release(key: string, id: string): Promise<void>;
  /** Forgets every failure of `key` (an account after a successful login). Idempotent. */
  clear(key: string): Promise<void>;
}

/** A granted attempt (its id, to release it), or a refusal with the time a slot frees up (epoch ms). */
export type AttemptReservation = { readonly granted: true; readonly id: string } | { readonly granted: false; readonly retryAt: number };

/** Why a user's sockets are closed: the message they get says it. */
export type SocketClosureReason = 'logout' | 'session_revoked' | 'deactivated';

export interface SocketClosure {
  readonly userId: string;
  /** Only the sockets of this session (a logout); absent: every socket of the user (a deactivation). */
  readonly sessionId?: string;
  readonly reason: SocketClosureReason;
}

/** The WebSockets users hold on the gateways (docs/adr/0052). */
export interface UserSockets {
  /**
   * Tells, then closes (4401), the sockets of `closure.userId` on every gateway instance; resolves
   * how many were closed. Throws `DependencyUnavailableError` when no gateway can answer.
   */
  close(closure: SocketClosure): Promise<number>;
}
