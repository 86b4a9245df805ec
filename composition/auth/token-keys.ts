import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SigningKeyRepository } from '../../core/auth/ports.js';
import type { Clock } from '../../core/shared/clock.js';
import { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';

export interface SigningKeySettings {
  readonly repository: SigningKeyRepository;
  readonly clock: Clock;
  /** The access-token lifetime: a retired key verifies at least this long. */
  readonly tokenTtlSeconds: number;
  /** `AUTH_TOKEN_KEY_FILE`: an Ed25519 private key imported once as the signing key (an import path only). */
  readonly keyFile: string | undefined;
}

/**
 * The auth service's token signing keys, stored in its database and shared by every instance on
 * it (docs/adr/0022). The first instance makes a key; `AUTH_TOKEN_KEY_FILE`, when set, is imported
 * as the signing key unless it is stored already.
 */
export const openSigningKeys = async (settings: SigningKeySettings): Promise<StoredSigningKeys> => {
  const keys = await StoredSigningKeys.open({
    repository: settings.repository,
    clock: settings.clock,
    verifyRetiredForMs: settings.tokenTtlSeconds * 1000,
  });
  if (settings.keyFile !== undefined) await keys.importPrivateKey(await readTokenKeyFile(settings.keyFile));
  return keys;
};

/** The Ed25519 private key of a PEM file (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it), as PKCS#8 PEM. */
export const readTokenKeyFile = async (file: string): Promise<string> => {
  const pem = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new Error(`AUTH_TOKEN_KEY_FILE ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  });
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`AUTH_TOKEN_KEY_FILE ${file} holds no private key in PEM`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`AUTH_TOKEN_KEY_FILE ${file} holds a ${key.asymmetricKeyType ?? 'symmetric'} key; an Ed25519 private key is needed`);
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
};
