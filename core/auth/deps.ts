import type { Clock } from '../shared/clock.js';
import type { IdGenerator } from '../shared/ids.js';
import type { JobQueue } from '../messaging/work-queue.js';
import {
  defaultLoginThrottleLimits,
  type FailureLimit,
  type LoginThrottle,
  type LoginThrottleLimits,
  type SlidingWindowThrottle,
} from './login-throttle.js';
import type {
  AnnouncementRepository,
  AuditLog,
  EmailSender,
  OpaqueTokens,
  RefreshTokenRepository,
  PasswordHasher,
  ResourceGrantRepository,
  SessionRepository,
  TokenIssuer,
  UserRepository,
  UserSockets,
} from './ports.js';

export interface AuthConfig {
  /** Lifetime of an access token. Default 900 (15 min). */
  readonly tokenTtlSeconds: number;
  /** Lifetime of a login session. Default 604,800 (7 days). */
  readonly sessionTtlSeconds: number;
  /** Users registering with one of these emails (case-insensitive) get the `admin` role. */
  readonly adminEmails: readonly string[];
  /** Failed logins allowed per account and per client address in a sliding window. */
  readonly loginThrottle: LoginThrottleLimits;
  /** A spent refresh token presented again within this many seconds of its first use is a concurrent refresh, not reuse. Default 20; 0: none. */
  readonly refreshReuseGraceSeconds: number;
  /** Registrations allowed per client address in a sliding window. Default 20 in 15 minutes. */
  readonly registrationThrottle: FailureLimit;
}

export const defaultAuthConfig: AuthConfig = {
  tokenTtlSeconds: 15 * 60,
  sessionTtlSeconds: 7 * 24 * 60 * 60,
  adminEmails: [],
  loginThrottle: defaultLoginThrottleLimits,
  refreshReuseGraceSeconds: 20,
  registrationThrottle: { max: 20, windowMs: 15 * 60_000 },
};

/** Everything the auth use cases need; each use case takes only the part it uses. */
export interface AuthDeps {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly opaqueTokens: OpaqueTokens;
  /** Failed logins per account and address, counted in the log the service was given. */
  readonly loginThrottle: LoginThrottle;
  /** Registrations per client address, counted in the same log as failed logins. */
  readonly registrationThrottle: SlidingWindowThrottle;
  readonly grants: ResourceGrantRepository;
  /** What administrators did (docs/adr/0054); written by the repositories with each change. */
  readonly audit: AuditLog;
  readonly announcements: AnnouncementRepository;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly email: EmailSender;
  readonly jobs: JobQueue;
  /** The users' sockets on the gateways, closed at logout and deactivation; absent: auth runs without gateways to tell. */
  readonly sockets?: UserSockets;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: AuthConfig;
}
