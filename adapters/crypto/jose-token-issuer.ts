import { SignJWT, calculateJwkThumbprint, errors, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { err, ok, type Result } from '../../core/shared/result.js';
import type { Clock } from '../../core/shared/clock.js';
import type { AccessClaims, IssuedToken, TokenIssuer, TokenRejection } from '../../core/auth/ports.js';
import { SigningAlgorithm, type SigningKeySource } from './stored-signing-keys.js';

export const TokenIssuerName = 'meshwork-auth';
export const TokenAudience = 'meshwork';

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
 * Claims: `sub` user id, `sid` session id, `email`, `adm` admin flag, `iat`, `exp`. The keys come
 * from a SigningKeySource: the stored, rotating keys of auth (docs/adr/0022), or one fixed pair.
 */
export class JoseTokenIssuer implements TokenIssuer {
  private constructor(
    private readonly clock: Clock,
    private readonly keys: SigningKeySource,
  ) {}

  /** An issuer with one fixed key pair (tests, tools). */
  static async create(options: JoseTokenIssuerOptions): Promise<JoseTokenIssuer> {
    const keyPair = options.keyPair ?? (await generateKeyPair('Ed25519'));
    const kid = options.kid ?? (await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)));
    return new JoseTokenIssuer(options.clock, new FixedKeyPair(keyPair, kid));
  }

  /** An issuer signing with the source's current key and verifying with the key its token names. */
  static withKeys(clock: Clock, keys: SigningKeySource): JoseTokenIssuer {
    return new JoseTokenIssuer(clock, keys);
  }

  async issue(claims: AccessClaims): Promise<IssuedToken> {
    const exp = Math.floor(claims.expiresAt / 1000);
    const { kid, privateKey } = await this.keys.signingKey();
    const token = await new SignJWT({ sid: claims.sessionId, email: claims.email, adm: claims.isAdmin })
      .setProtectedHeader({ alg: SigningAlgorithm, kid, typ: 'JWT' })
      .setIssuer(TokenIssuerName)
      .setAudience(TokenAudience)
      .setSubject(claims.userId)
      .setIssuedAt(Math.floor(this.clock.now() / 1000))
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, expiresAt: exp * 1000 };
  }

  async verify(token: string): Promise<Result<AccessClaims, TokenRejection>> {
    return verifyAccessToken(token, (kid) => this.keys.verificationKey(kid), this.clock.now());
  }
}

/** The claims of an access token signed by the key `keyOf` gives for its kid, checked at `now`; or why not. */
export const verifyAccessToken = async (
  token: string,
  keyOf: (kid: string | undefined) => Promise<CryptoKey | undefined>,
  now: number,
): Promise<Result<AccessClaims, TokenRejection>> => {
  if (!isCanonicalCompact(token)) return err('malformed');
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await keyOf(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [SigningAlgorithm],
        issuer: TokenIssuerName,
        audience: TokenAudience,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      },
    );
    const claims = claimsOf(payload);
    return claims ? ok(claims) : err('malformed');
  } catch (error) {
    return err(rejectionOf(error));
  }
};

// The signature may be empty: an unsigned token then fails as what it is, `bad_signature`.
const Base64UrlSegment = /^[A-Za-z0-9_-]*$/;

/**
 * Three segments of unpadded base64url, each the one encoding of its bytes: padding, other
 * alphabets and set spare bits are refused, so one token has one spelling (docs/adr/0035).
 */
const isCanonicalCompact = (token: string): boolean => {
  const segments = token.split('.');
  return (
    segments.length === 3 &&
    segments[0] !== '' &&
    segments[1] !== '' &&
    segments.every((segment) => Base64UrlSegment.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment)
  );
};

class FixedKeyPair implements SigningKeySource {
  constructor(
    private readonly keyPair: Ed25519KeyPair,
    private readonly kid: string,
  ) {}

  async signingKey() {
    return { kid: this.kid, privateKey: this.keyPair.privateKey };
  }

  // A token without kid is checked against the one key, so its other faults are reported as such.
  async verificationKey(kid: string | undefined) {
    return kid === undefined || kid === this.kid ? this.keyPair.publicKey : undefined;
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
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWKSNoMatchingKey
  ) {
    return 'bad_signature';
  }
  // Undecodable input, a wrong issuer or audience, a missing claim: not a token of ours.
  if (error instanceof errors.JOSEError) return 'malformed';
  throw error;
};
