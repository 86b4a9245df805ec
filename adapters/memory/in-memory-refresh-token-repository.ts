import type { RefreshToken } from '../../core/auth/model.js';
import type { RefreshTokenRepository } from '../../core/auth/ports.js';

/** RefreshTokenRepository in a Map by digest. Stores and returns copies. */
export class InMemoryRefreshTokenRepository implements RefreshTokenRepository {
  private readonly tokens = new Map<string, RefreshToken>();

  async create(token: RefreshToken): Promise<void> {
    if (this.tokens.has(token.digest)) throw new Error('refresh token digest already exists');
    this.tokens.set(token.digest, { ...token });
  }

  async findByDigest(digest: string): Promise<RefreshToken | undefined> {
    const token = this.tokens.get(digest);
    return token && { ...token };
  }

  async markUsed(digest: string, at: number): Promise<boolean> {
    const token = this.tokens.get(digest);
    if (!token || token.usedAt !== null) return false;
    this.tokens.set(digest, { ...token, usedAt: at });
    return true;
  }
}
