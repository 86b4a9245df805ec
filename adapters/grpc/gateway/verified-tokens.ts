import type { AccessClaims } from '../../../core/auth/index.js';
import type { Clock } from '../../../core/shared/clock.js';

/**
 * Tokens whose signature was checked, with their claims, until they expire: a client sends the
 * same token for its whole lifetime, so its signature is checked once, not on every request.
 * Bounded: past `maxEntries` the oldest are forgotten (and verified again when they come back).
 * Holds no session state: whether the session is live is the SessionValidityCache's question.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, AccessClaims>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 50_000,
  ) {}

  get(token: string): AccessClaims | undefined {
    const claims = this.tokens.get(token);
    if (!claims) return undefined;
    if (claims.expiresAt <= this.clock.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: AccessClaims): void {
    if (this.maxEntries === 0) return;
    this.tokens.set(token, claims);
    if (this.tokens.size > this.maxEntries) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
  }
}
