import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueTokens } from '../../core/auth/ports.js';

/**
 * Refresh tokens: 32 random bytes in base64url; stored as their SHA-256, so a leaked table gives
 * no usable token. Looked up by digest, never compared as secrets (docs/adr/0022).
 */
export class RandomOpaqueTokens implements OpaqueTokens {
  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('base64url');
  }
}
