import { createAuthService, SessionValidityCache, type AuthService } from '../../core/auth/index.js';
import type { Identity } from '../../core/gateway/index.js';
import type { EventBus, Subscription } from '../../core/messaging/events.js';
import { evictOnAuthEvents } from '../../core/auth/index.js';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { RandomOpaqueTokens } from '../../adapters/crypto/random-opaque-tokens.js';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.js';
import { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';
import { LogEmailSender } from '../../adapters/email/log-email-sender.js';
import { authGrpcService } from '../../adapters/grpc/auth/auth-grpc-service.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { LocalTokenAuthenticator } from '../../adapters/grpc/gateway/local-token-authenticator.js';
import { RemoteSigningKeys } from '../../adapters/grpc/gateway/remote-signing-keys.js';
import { AuthServiceClient, AuthServiceService, type AuthServiceServer } from '../../adapters/grpc/generated/auth.js';
import { singleInstance } from '../../adapters/grpc/mesh/single-instance.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { InMemoryLoginFailureLog } from '../../adapters/memory/in-memory-login-failure-log.js';
import { InMemoryRefreshTokenRepository } from '../../adapters/memory/in-memory-refresh-token-repository.js';
import { InMemoryResourceGrantRepository } from '../../adapters/memory/in-memory-resource-grant-repository.js';
import { InMemorySessionRepository } from '../../adapters/memory/in-memory-session-repository.js';
import { InMemorySigningKeyRepository } from '../../adapters/memory/in-memory-signing-key-repository.js';
import { InMemoryUserRepository } from '../../adapters/memory/in-memory-user-repository.js';
import { InMemoryAuditLog } from '../../adapters/memory/in-memory-audit-log.js';
import { InMemoryAnnouncementRepository } from '../../adapters/memory/in-memory-announcement-repository.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { startTestRelay } from '../support/outbox-relay.js';
import { RecordingJobQueue } from './auth-harness.js';

const Password = 'correct horse battery';

/** A real auth service (stored signing keys, events on `events`) serving gRPC on a loopback port. */
export interface AuthOnGrpc {
  readonly service: AuthService;
  readonly keys: StoredSigningKeys;
  readonly server: RunningGrpcServer;
  /** ValidateToken calls the server has answered. */
  validateCalls(): number;
  /** Registers a user (an admin when `adminEmail` matches) and logs in. */
  loggedIn(
    email?: string,
  ): Promise<{ readonly token: string; readonly refreshToken: string; readonly userId: string; readonly sessionId: string }>;
  close(): Promise<void>;
}

export const startAuthOnGrpc = async (
  events: EventBus,
  options: { readonly port?: number; readonly adminEmails?: string[] } = {},
): Promise<AuthOnGrpc> => {
  const clock = new SystemClock();
  const keys = await StoredSigningKeys.open({ repository: new InMemorySigningKeyRepository(), clock, verifyRetiredForMs: 900_000 });
  const userRepository = new InMemoryUserRepository();
  const jobs = new RecordingJobQueue();
  // Logins, logouts and permission changes reach `events` through the outbox, as in the service (docs/adr/0038).
  const relay = startTestRelay(userRepository.outbox, { events, jobs });
  const service = createAuthService({
    users: userRepository,
    sessions: new InMemorySessionRepository(userRepository.outbox),
    refreshTokens: new InMemoryRefreshTokenRepository(),
    grants: new InMemoryResourceGrantRepository(userRepository.outbox),
    audit: new InMemoryAuditLog(),
    announcements: new InMemoryAnnouncementRepository(),
    opaqueTokens: new RandomOpaqueTokens(),
    passwords: new ScryptPasswordHasher({ N: 2 ** 10 }),
    tokens: JoseTokenIssuer.withKeys(clock, keys),
    email: new LogEmailSender(),
    jobs,
    clock,
    ids: new RandomIdGenerator(),
    loginFailures: new InMemoryLoginFailureLog(),
    config: { adminEmails: options.adminEmails ?? [], refreshReuseGraceSeconds: 0 }, // reuse ends the session at once here
  });
  const logger = createLogger('token-validation-bed', 'silent');
  const implementation: AuthServiceServer = authGrpcService(service, logger, keys);
  let validateCalls = 0;
  const counted: AuthServiceServer = {
    ...implementation,
    validateToken: (call, callback) => {
      validateCalls += 1;
      implementation.validateToken(call, callback);
    },
  };
  const server = await startGrpcServer({
    serviceName: 'auth',
    host: '127.0.0.1',
    port: options.port ?? 0,
    logger,
    services: [{ definition: AuthServiceService, implementation: counted }],
  });
  let users = 0;
  return {
    service,
    keys,
    server,
    validateCalls: () => validateCalls,
    loggedIn: async (email) => {
      users += 1;
      const address = email ?? `user-${users}-${Date.now()}@example.test`;
      const registered = await service.register({ email: address, password: Password, name: `User ${users}` });
      if (!registered.ok) throw new Error(`register: ${registered.error.code}`);
      const login = await service.login({ email: address, password: Password });
      if (!login.ok) throw new Error(`login: ${login.error.code}`);
      return {
        token: login.value.token,
        refreshToken: login.value.refreshToken,
        userId: registered.value.id,
        sessionId: login.value.sessionId,
      };
    },
    close: async () => {
      await relay.stop();
      await server.shutdown();
    },
  };
};

/** What one gateway instance holds for token validation: its authenticator, cache and subscription. */
export interface GatewayTokenCheck {
  readonly authenticator: LocalTokenAuthenticator;
  readonly sessions: SessionValidityCache<Identity>;
  readonly client: GrpcAuthClient;
  close(): Promise<void>;
}

/** A gateway's local-verifying authenticator on `address`, evicting on `events` as the gateway root wires it. */
export const gatewayTokenCheck = async (address: string, events: EventBus): Promise<GatewayTokenCheck> => {
  const clock = new SystemClock();
  const channel = singleInstance(AuthServiceClient, address);
  const client = new GrpcAuthClient(channel, { callingService: 'api-gateway' });
  const sessions = new SessionValidityCache<Identity>(clock);
  const keys = new RemoteSigningKeys(client, clock);
  const subscription: Subscription = await evictOnAuthEvents(events, sessions);
  return {
    authenticator: new LocalTokenAuthenticator({ auth: client, keys, sessions, clock }),
    sessions,
    client,
    close: async () => {
      await subscription.unsubscribe();
      channel.close();
    },
  };
};
