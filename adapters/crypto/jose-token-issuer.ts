import {
  SignJWT,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { err, ok, type Result } from '../../core/shared/result.js';
import type { Clock } from '../../core/shared/clock.js';
import type { AccessClaims, IssuedToken, TokenIssuer, TokenRejection } from '../../core/auth/ports.js';

export const TokenIssuerName = 'meshwork-auth';
export const TokenAudience = 'meshwork';
const Algorithm = 'EdDSA';

export interface Ed25519KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export interface JoseTokenIssuerOptions {
  /** Time for `iat`/`exp` checks: a ManualClock makes expiry testable. */
  readonly clock: Clock;
  /** The signing key pair; a fresh one is generated when absent (tokens then die with the process). */
  readonly keyPair?: Ed25519KeyPair;
  /** Key id for the header and the JWK set; default the key's RFC 7638 thumbprint. */
  readonly kid?: string;
}

/**
 * TokenIssuer signing EdDSA (Ed25519) JWTs with `kid`, issuer `meshwork-auth`, audience `meshwork`.
 * Claims: `sub` user id, `sid` session id, `email`, `adm` admin flag, `iat`, `exp`.
 */
export class JoseTokenIssuer implements TokenIssuer {
  private constructor(
    private readonly clock: Clock,
    private readonly keyPair: Ed25519KeyPair,
    readonly kid: string,
    private readonly publicJwk: JWK,
  ) {}

  static async create(options: JoseTokenIssuerOptions): Promise<JoseTokenIssuer> {
    const keyPair = options.keyPair ?? (await generateKeyPair('Ed25519'));
    const publicJwk = await exportJWK(keyPair.publicKey);
    const kid = options.kid ?? (await calculateJwkThumbprint(publicJwk));
    return new JoseTokenIssuer(options.clock, keyPair, kid, { ...publicJwk, kid, alg: Algorithm, use: 'sig' });
  }

  /** The public keys verifying this issuer's tokens, as served at a JWKS endpoint. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  async issue(claims: AccessClaims): Promise<IssuedToken> {
    const exp = Math.floor(claims.expiresAt / 1000);
    const token = await new SignJWT({ sid: claims.sessionId, email: claims.email, adm: claims.isAdmin })
      .setProtectedHeader({ alg: Algorithm, kid: this.kid, typ: 'JWT' })
      .setIssuer(TokenIssuerName)
      .setAudience(TokenAudience)
      .setSubject(claims.userId)
      .setIssuedAt(Math.floor(this.clock.now() / 1000))
      .setExpirationTime(exp)
      .sign(this.keyPair.privateKey);
    return { token, expiresAt: exp * 1000 };
  }

  async verify(token: string): Promise<Result<AccessClaims, TokenRejection>> {
    try {
      const { payload } = await jwtVerify(token, this.keyPair.publicKey, {
        algorithms: [Algorithm],
        issuer: TokenIssuerName,
        audience: TokenAudience,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['sub', 'exp'],
      });
      const claims = claimsOf(payload);
      return claims ? ok(claims) : err('malformed');
    } catch (error) {
      return err(rejectionOf(error));
    }
  }
}

const claimsOf = (payload: JWTPayload): AccessClaims | undefined => {
  const { sub, sid, email, adm, exp } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof email !== 'string') return undefined;
  if (typeof adm !== 'boolean' || typeof exp !== 'number') return undefined;
  return { userId: sub, sessionId: sid, email, isAdmin: adm, expiresAt: exp * 1000 };
};

/** jose's errors in the port's three words; anything that is not a JOSE error is a fault and rethrown. */
const rejectionOf = (error: unknown): TokenRejection => {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return 'bad_signature';
  }
  // Undecodable input, a wrong issuer or audience, a missing claim: not a token of ours.
  if (error instanceof errors.JOSEError) return 'malformed';
  throw error;
};
