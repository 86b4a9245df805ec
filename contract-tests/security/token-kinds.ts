import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

/** The ways a caller can present a token that must not let them in. */
export type DeniedTokenKind = 'none' | 'malformed' | 'bad_signature' | 'expired' | 'revoked' | 'other_user';

export const DeniedTokenKinds: readonly DeniedTokenKind[] = ['none', 'malformed', 'bad_signature', 'expired', 'revoked', 'other_user'];

/** A token with the claims, issuer, audience and `kid` of `model` (a real token auth issued), signed with `key`: a forgery. */
export const resign = async (model: string, key: KeyObject, expiresAtSeconds: number): Promise<string> => {
  const header = decodeProtectedHeader(model);
  const claims = decodeJwt(model);
  return new SignJWT({ ...claims, iat: expiresAtSeconds - 900, exp: expiresAtSeconds })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...(header.kid !== undefined && { kid: header.kid }) })
    .sign(key);
};

export const otherKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
