import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import {
  createAuthService,
  type AnnouncementRepository,
  type AuditLog,
  type AuthService,
  type EmailSender,
  type LoginFailureLog,
  type PasswordHasher,
  type RefreshTokenRepository,
  type ResourceGrantRepository,
  type SessionRepository,
  type SigningKeyRepository,
  type TokenIssuer,
  type UserRepository,
  type UserSockets,
} from '../../core/auth/index.js';
import type { Clock } from '../../core/shared/clock.js';
import type { IdGenerator } from '../../core/shared/ids.js';
import type { JobQueue } from '../../core/messaging/work-queue.js';
import type { OutboxStore } from '../../core/messaging/outbox.js';
import type { IdempotentWrites } from '../../core/idempotency/idempotent-writes.js';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { RandomOpaqueTokens } from '../../adapters/crypto/random-opaque-tokens.js';
import { BoundedPasswordHasher } from '../../adapters/crypto/bounded-password-hasher.js';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.js';
import type { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';
import { EmlFileEmailSender } from '../../adapters/email/eml-file-email-sender.js';
import { SmtpEmailSender } from '../../adapters/email/smtp-email-sender.js';
import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemoryRefreshTokenRepository } from '../../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemorySigningKeyRepository } from '../../adapters/memory/in-memory-signing-key-repository.js';
import { InMemoryOutbox } from '../../adapters/memory/in-memory-outbox.js';
import { InMemoryAuditLog } from '../../adapters/memory/in-memory-audit-log.js';
import { InMemoryAnnouncementRepository } from '../../adapters/memory/in-memory-announcement-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import type { Logger } from '../../adapters/observability/logger.js';
import type { MeshConfig } from '../config.js';
import { idempotentWrites } from '../idempotent-writes.js';
import { Platform } from '../platform-module.js';
import { token } from '../tokens.js';
import { openSigningKeys } from './token-keys.js';

export const AuthTokens = {
  users: token<UserRepository>('UserRepository'),
  audit: token<AuditLog>('AuditLog'),
  announcements: token<AnnouncementRepository>('AnnouncementRepository'),
  /** Where `users` records the jobs of its writes (docs/adr/0038); rebound with it. */
  outbox: token<OutboxStore>('AuthOutbox'),
  /** Where the administration writes are remembered by idempotency key (docs/adr/0064); rebound with the repositories. */
  idempotentWrites: token<IdempotentWrites>('AuthIdempotentWrites'),
  sessions: token<SessionRepository>('SessionRepository'),
  grants: token<ResourceGrantRepository>('ResourceGrantRepository'),
  refreshTokens: token<RefreshTokenRepository>('RefreshTokenRepository'),
  signingKeys: token<SigningKeyRepository>('SigningKeyRepository'),
  keys: token<StoredSigningKeys>('StoredSigningKeys'),
  passwords: token<PasswordHasher>('PasswordHasher'),
  tokens: token<TokenIssuer>('TokenIssuer'),
  email: token<EmailSender>('EmailSender'),
  /** Bound by the root: shared through Redis when the mesh runs on it, else in this process. */
  loginFailures: token<LoginFailureLog>('LoginFailureLog'),
  /** Bound by the root: the users' sockets on the gateways, over the mesh. */
  sockets: token<UserSockets>('UserSockets'),
  service: token<AuthService>('AuthService'),
};

/** Where emails are written when no SMTP server is configured: `DATA_DIR/mail` (README, docs/adr/0055). */
export const emailDirectory = (config: MeshConfig): string => join(config.storage.dataDir, 'mail');

/** SMTP when `MESH_SMTP_URL` is set; otherwise each message as an `.eml` file under `DATA_DIR/mail`. */
const emailSender = (config: MeshConfig, logger: Logger): EmailSender =>
  config.email.smtpUrl !== undefined
    ? new SmtpEmailSender({ url: config.email.smtpUrl, from: config.email.from, logger })
    : new EmlFileEmailSender({ directory: emailDirectory(config), from: config.email.from, logger });

/** The auth service's adapters (embedded: in-memory repositories, scrypt, EdDSA JWTs with stored keys, email over SMTP or to .eml files) and its use cases. */
export const authModule = new ContainerModule(({ bind }) => {
  const outbox = new InMemoryOutbox();
  const audit = new InMemoryAuditLog();
  bind(AuthTokens.users).toConstantValue(new InMemoryUserRepository(outbox, audit));
  bind(AuthTokens.audit).toConstantValue(audit);
  bind(AuthTokens.announcements).toConstantValue(new InMemoryAnnouncementRepository(audit, outbox));
  bind(AuthTokens.outbox).toConstantValue(outbox);
  bind(AuthTokens.idempotentWrites).toConstantValue(idempotentWrites());
  bind(AuthTokens.sessions).toConstantValue(new InMemorySessionRepository(outbox));
  bind(AuthTokens.grants).toConstantValue(new InMemoryResourceGrantRepository(outbox));
  bind(AuthTokens.refreshTokens).toConstantValue(new InMemoryRefreshTokenRepository());
  bind(AuthTokens.signingKeys).toConstantValue(new InMemorySigningKeyRepository());
  bind(AuthTokens.passwords)
    .toResolvedValue(
      (config: MeshConfig) =>
        new BoundedPasswordHasher(new ScryptPasswordHasher({ N: config.auth.passwordHashCost }), {
          concurrency: config.auth.passwordHashConcurrency,
          queue: config.auth.passwordHashQueue,
        }),
      [Platform.config],
    )
    .inSingletonScope();
  bind(AuthTokens.keys)
    .toResolvedValue(
      (repository: SigningKeyRepository, clock: Clock, config: MeshConfig) =>
        openSigningKeys({ repository, clock, tokenTtlSeconds: config.auth.tokenTtlSeconds, keyFile: config.auth.tokenKeyFile }),
      [AuthTokens.signingKeys, Platform.clock, Platform.config],
    )
    .inSingletonScope();
  bind(AuthTokens.tokens)
    .toResolvedValue((clock: Clock, keys: StoredSigningKeys) => JoseTokenIssuer.withKeys(clock, keys), [Platform.clock, AuthTokens.keys])
    .inSingletonScope();
  bind(AuthTokens.email)
    .toResolvedValue(
      (logger: Logger, config: MeshConfig) => emailSender(config, logger.child({ component: 'email' })),
      [Platform.logger, Platform.config],
    )
    .inSingletonScope();
  bind(AuthTokens.service)
    .toResolvedValue(
      (
        users: UserRepository,
        sessions: SessionRepository,
        refreshTokens: RefreshTokenRepository,
        grants: ResourceGrantRepository,
        audit: AuditLog,
        announcements: AnnouncementRepository,
        passwords: PasswordHasher,
        tokens: TokenIssuer,
        email: EmailSender,
        loginFailures: LoginFailureLog,
        sockets: UserSockets,
        jobs: JobQueue,
        clock: Clock,
        ids: IdGenerator,
        config: MeshConfig,
      ) =>
        createAuthService({
          users,
          sessions,
          refreshTokens,
          opaqueTokens: new RandomOpaqueTokens(),
          grants,
          audit,
          announcements,
          passwords,
          tokens,
          email,
          loginFailures,
          sockets,
          jobs,
          clock,
          ids,
          config: {
            tokenTtlSeconds: config.auth.tokenTtlSeconds,
            sessionTtlSeconds: config.auth.sessionTtlSeconds,
            adminEmails: config.auth.adminEmails,
            refreshReuseGraceSeconds: config.auth.refreshReuseGraceSeconds,
            registrationThrottle: { max: config.auth.registrationsPerAddress, windowMs: 15 * 60_000 },
          },
        }),
      [
        AuthTokens.users,
        AuthTokens.sessions,
        AuthTokens.refreshTokens,
        AuthTokens.grants,
        AuthTokens.audit,
        AuthTokens.announcements,
        AuthTokens.passwords,
        AuthTokens.tokens,
        AuthTokens.email,
        AuthTokens.loginFailures,
        AuthTokens.sockets,
        Platform.jobs,
        Platform.clock,
        Platform.ids,
        Platform.config,
      ],
    )
    .inSingletonScope();
});
