import type { AccessClaims, SessionValidityCache } from '../../../core/auth/index.js';
import type { Authenticator, Identity } from '../../../core/gateway/index.js';
import type { Clock } from '../../../core/shared/clock.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { verifyAccessToken } from '../../crypto/jose-token-issuer.js';
import type { GrpcAuthClient } from '../auth/auth-grpc-client.js';
import { GrpcAuthenticator, invalidToken } from './grpc-authenticator.js';
import type { RemoteSigningKeys } from './remote-signing-keys.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface LocalTokenAuthenticatorDeps {
  readonly auth: GrpcAuthClient;
  readonly keys: RemoteSigningKeys;
  /** Auth's last answer per session, evicted by `auth:events:*` (evictOnAuthEvents). */
  readonly sessions: SessionValidityCache<Identity>;
  readonly clock: Clock;
  /** Verified tokens remembered until they expire (their signature is checked once). Default 50 000; 0: check every time. */
  readonly verifiedTokens?: number;
}

/**
 * Bearer tokens checked at the gateway (docs/adr/0022): the signature and expiry locally with
 * auth's public keys, the session by what auth last said about it. Only a session not in the cache
 * costs a ValidateToken call (one per session however many requests wait on it), and auth stays
 * the authority: its logout and permission events evict the session on every gateway at once.
 * A token whose kid no key answers and auth cannot be asked about is `unavailable` (503), never a 401.
 */
export class LocalTokenAuthenticator implements Authenticator {
  private readonly verified: VerifiedTokens;
  private readonly pending = new Map<string, Promise<Result<Identity, DomainFailure>>>();

  private readonly remote: GrpcAuthenticator;

  constructor(private readonly deps: LocalTokenAuthenticatorDeps) {
    this.verified = new VerifiedTokens(deps.clock, deps.verifiedTokens);
    this.remote = new GrpcAuthenticator(deps.auth);
  }

  async authenticate(token: string, requestId?: string): Promise<Result<Identity, DomainFailure>> {
    const trimmed = token.trim();
    if (trimmed === '') return err(invalidToken);
    const claims = await this.claimsOf(trimmed);
    if (claims === 'unavailable') return this.askAuth(trimmed, requestId);
    if (!claims) return err(invalidToken);

    const cached = this.deps.sessions.get(claims.sessionId);
    if (cached) return cached.valid && cached.value.userId === claims.userId ? ok(cached.value) : err(invalidToken);

    let pending = this.pending.get(claims.sessionId);
    if (!pending) {
      pending = this.validateSession(trimmed, claims, requestId).finally(() => this.pending.delete(claims.sessionId));
      this.pending.set(claims.sessionId, pending);
    }
    const identity = await pending;
    // Another token of the same session may have been the one asked about: the user must match.
    return identity.ok && identity.value.userId !== claims.userId ? err(invalidToken) : identity;
  }

  /**
   * Marks the session of a token ended here at once, for a logout this gateway passed on: its
   * next request must not race auth's logout event. Other gateways learn it from that event.
   */
  async sessionEnded(token: string): Promise<void> {
    const claims = await this.claimsOf(token.trim());
    if (claims && claims !== 'unavailable') this.deps.sessions.markEnded(claims.sessionId);
  }

  /** The token's claims when its signature and expiry check out; undefined when not; `unavailable` when no key could be had. */
  private async claimsOf(token: string): Promise<AccessClaims | undefined | 'unavailable'> {
    const known = this.verified.get(token);
    if (known) return known;
    let keysUnavailable = false;
    const verified = await verifyAccessToken(
      token,
      async (kid) => {
        const lookup = await this.deps.keys.keyFor(kid);
        if (lookup.found) return lookup.key;
        keysUnavailable = lookup.unavailable;
        return undefined;
      },
      this.deps.clock.now(),
    );
    if (verified.ok) {
      this.verified.remember(token, verified.value);
      return verified.value;
    }
    return keysUnavailable ? 'unavailable' : undefined;
  }

  private async validateSession(token: string, claims: AccessClaims, requestId?: string): Promise<Result<Identity, DomainFailure>> {
    const since = this.deps.sessions.generation();
    const answer = await this.askAuth(token, requestId);
    if (answer.ok) this.deps.sessions.store(claims.sessionId, claims.userId, { valid: true, value: answer.value }, since, claims.expiresAt);
    else if (answer.error.kind === 'unauthenticated') this.deps.sessions.store(claims.sessionId, claims.userId, { valid: false }, since);
    return answer;
  }

  private askAuth(token: string, requestId?: string): Promise<Result<Identity, DomainFailure>> {
    return this.remote.authenticate(token, requestId);
  }
}
