import type { Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import type { Job } from '../messaging/work-queue.js';
import {
  checkPermission,
  getUserContext,
  getUserContextByEmail,
  getUserPermissions,
  type CheckPermissionInput,
  type PermissionDecision,
  type UserContext,
  type UserPermissions,
} from './access.js';
import {
  assignRoles,
  grantResourceAccess,
  revokeResourceAccess,
  type AssignRolesInput,
  type GrantResourceAccessInput,
  type RevokeResourceAccessInput,
} from './access-changes.js';
import {
  listUsers,
  setUserActive,
  type ListUsersInput,
  type SetUserActiveInput,
  type UserActivation,
  type UserPage,
} from './administration.js';
import { listCurrentAnnouncements, publishAnnouncement, type PublishAnnouncementInput } from './announcements.js';
import { listAuditLog, type AuditPage, type ListAuditLogInput } from './audit.js';
import { defaultAuthConfig, type AuthConfig, type AuthDeps } from './deps.js';
import { handleEmailJob } from './email-jobs.js';
import { login, logout, type LoginInput } from './login.js';
import { LoginThrottle, SlidingWindowThrottle } from './login-throttle.js';
import { refresh } from './refresh.js';
import type { LoginOutcome } from './session-tokens.js';
import { normaliseEmail, type Announcement, type Profile } from './model.js';
import type { EmailMessage, LoginFailureLog } from './ports.js';
import { getProfile, updateProfile, type UpdateProfileInput } from './profile.js';
import { register, type RegisterInput } from './register.js';
import {
  validateSession,
  validateToken,
  type SessionValidation,
  type TokenValidation,
  type ValidateSessionInput,
} from './token-validation.js';

/** The auth use cases, bound to their dependencies: what the gRPC, HTTP and queue adapters call. */
export interface AuthService {
  register(input: RegisterInput): Promise<Result<Profile, DomainFailure>>;
  login(input: LoginInput): Promise<Result<LoginOutcome, DomainFailure>>;
  logout(token: string): Promise<Result<void, DomainFailure>>;
  /** Exchanges a refresh token for a new access token and a new refresh token (the old one is spent). */
  refresh(refreshToken: string): Promise<Result<LoginOutcome, DomainFailure>>;
  getProfile(userId: string): Promise<Result<Profile, DomainFailure>>;
  updateProfile(input: UpdateProfileInput): Promise<Result<Profile, DomainFailure>>;
  validateToken(token: string): Promise<TokenValidation>;
  validateSession(input: ValidateSessionInput): Promise<SessionValidation>;
  getUserContext(userId: string): Promise<Result<UserContext, DomainFailure>>;
  getUserContextByEmail(email: string): Promise<Result<UserContext, DomainFailure>>;
  checkPermission(input: CheckPermissionInput): Promise<Result<PermissionDecision, DomainFailure>>;
  getUserPermissions(userId: string): Promise<Result<UserPermissions, DomainFailure>>;
  assignRoles(input: AssignRolesInput): Promise<Result<Profile, DomainFailure>>;
  grantResourceAccess(input: GrantResourceAccessInput): Promise<Result<void, DomainFailure>>;
  revokeResourceAccess(input: RevokeResourceAccessInput): Promise<Result<void, DomainFailure>>;
  handleEmailJob(job: Pick<Job, 'type' | 'payload'>): Promise<Result<EmailMessage, DomainFailure>>;
  /** Administration (docs/adr/0054): each checks in auth that `actorId` is an active administrator. */
  listUsers(input: ListUsersInput): Promise<Result<UserPage, DomainFailure>>;
  setUserActive(input: SetUserActiveInput): Promise<Result<UserActivation, DomainFailure>>;
  publishAnnouncement(input: PublishAnnouncementInput): Promise<Result<Announcement, DomainFailure>>;
  listAuditLog(input: ListAuditLogInput): Promise<Result<AuditPage, DomainFailure>>;
  /** Announcements not over yet, newest first; anyone may read them. */
  listCurrentAnnouncements(): Promise<Announcement[]>;
}

export type AuthServiceDeps = Omit<AuthDeps, 'config' | 'loginThrottle' | 'registrationThrottle'> & {
  readonly config?: Partial<AuthConfig>;
  /** Where failed logins are counted: in this process, or shared by every auth instance. */
  readonly loginFailures: LoginFailureLog;
};

export const createAuthService = (input: AuthServiceDeps): AuthService => {
  const config = { ...defaultAuthConfig, ...input.config };
  const deps: AuthDeps = {
    ...input,
    loginThrottle: new LoginThrottle(config.loginThrottle, input.loginFailures, input.clock),
    registrationThrottle: new SlidingWindowThrottle(config.registrationThrottle, input.loginFailures, input.clock, 'register:'),
    config: { ...config, adminEmails: config.adminEmails.map(normaliseEmail) },
  };
  return {
    register: (request) => register(deps, request),
    login: (request) => login(deps, request),
    logout: (token) => logout(deps, token),
    refresh: (refreshToken) => refresh(deps, refreshToken),
    getProfile: (userId) => getProfile(deps, userId),
    updateProfile: (request) => updateProfile(deps, request),
    validateToken: (token) => validateToken(deps, token),
    validateSession: (request) => validateSession(deps, request),
    getUserContext: (userId) => getUserContext(deps, userId),
    getUserContextByEmail: (email) => getUserContextByEmail(deps, email),
    checkPermission: (request) => checkPermission(deps, request),
    getUserPermissions: (userId) => getUserPermissions(deps, userId),
    assignRoles: (request) => assignRoles(deps, request),
    grantResourceAccess: (request) => grantResourceAccess(deps, request),
    revokeResourceAccess: (request) => revokeResourceAccess(deps, request),
    handleEmailJob: (job) => handleEmailJob(deps, job),
    listUsers: (request) => listUsers(deps, request),
    setUserActive: (request) => setUserActive(deps, request),
    publishAnnouncement: (request) => publishAnnouncement(deps, request),
    listAuditLog: (request) => listAuditLog(deps, request),
    listCurrentAnnouncements: () => listCurrentAnnouncements(deps),
  };
};
