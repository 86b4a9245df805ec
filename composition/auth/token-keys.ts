import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { generateKeyPair, importPKCS8, importSPKI } from 'jose';
import type { Ed25519KeyPair } from '../../adapters/crypto/jose-token-issuer.js';

/**
 * The auth service's token signing keys. Every instance of auth must sign and verify with the
 * same key, or a token issued by one is refused by another: from `AUTH_TOKEN_KEY_FILE` (an Ed25519
 * private key, PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) for instances in
 * several processes, else a pair made once for this process (docs/adr/0017).
 */
export const loadTokenKeys = async (file: string | undefined): Promise<Ed25519KeyPair> => {
  if (file === undefined) return generateKeyPair('Ed25519');
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
  const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey: await importPKCS8(pkcs8, 'EdDSA'), publicKey: await importSPKI(spki, 'EdDSA', { extractable: true }) };
};
