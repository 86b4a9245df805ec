import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import type { SigningKey } from '../../core/auth/model.js';
import type { SigningKeyRepository } from '../../core/auth/ports.js';
import type { Clock } from '../../core/shared/clock.js';

export const SigningAlgorithm = 'EdDSA';

/** Where a token issuer gets its keys: the one to sign with now, and the public key of a kid. */
export interface SigningKeySource {
  signingKey(): Promise<{ readonly kid: string; readonly privateKey: CryptoKey }>;
  /** The public key of `kid` while it still verifies tokens; undefined for an unknown or expired kid. */
  verificationKey(kid: string | undefined): Promise<CryptoKey | undefined>;
}

/** A public key as auth publishes it (GetSigningKeys). */
export interface PublishedKey {
  readonly kid: string;
  readonly jwk: JWK;
  readonly createdAt: number;
  readonly retiredAt: number | null;
}

export interface StoredSigningKeysOptions {
  readonly repository: SigningKeyRepository;
  readonly clock: Clock;
  /** How long a retired key keeps verifying: at least the longest access-token lifetime. */
  readonly verifyRetiredForMs: number;
  /** How often the keys are re-read, so a rotation made by another instance is signed with. Default 60 s. */
  readonly reloadMs?: number;
  /** Least time between re-reads caused by an unknown kid (a flood of made-up kids costs one read a second). Default 1 s. */
  readonly unknownKidReloadMs?: number;
}

interface LoadedKey {
  readonly record: SigningKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

/**
 * The auth service's signing keys, kept in its database so every instance signs and verifies with
 * the same ones (docs/adr/0022). The newest unretired key signs; rotating adds a new key and
 * retires the others, which keep verifying for `verifyRetiredForMs` (plus one reload interval, the
 * time another instance may go on signing with the key it had read).
 */
export class StoredSigningKeys implements SigningKeySource {
  private keys = new Map<string, LoadedKey>();
  private current: LoadedKey | undefined;
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly reloadMs: number;
  private readonly unknownKidReloadMs: number;

  private constructor(private readonly options: StoredSigningKeysOptions) {
    this.reloadMs = options.reloadMs ?? 60_000;
    this.unknownKidReloadMs = options.unknownKidReloadMs ?? 1_000;
  }

  /** Reads the stored keys, making the first one when there is none. */
  static async open(options: StoredSigningKeysOptions): Promise<StoredSigningKeys> {
    const keys = new StoredSigningKeys(options);
    await keys.reload();
    if (!keys.current) await keys.rotate();
    return keys;
  }

  async signingKey(): Promise<{ readonly kid: string; readonly privateKey: CryptoKey }> {
    if (this.options.clock.now() - this.loadedAt >= this.reloadMs) await this.reload();
    if (!this.current) await this.rotate();
    const current = this.current!;
    let privateKey = this.privateKeys.get(current.record.kid);
    if (!privateKey) {
      privateKey = importPKCS8(current.record.privateKey, SigningAlgorithm);
      this.privateKeys.set(current.record.kid, privateKey);
    }
    return { kid: current.record.kid, privateKey: await privateKey };
  }

  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (kid === undefined) return undefined;
    const now = this.options.clock.now();
    if (!this.keys.has(kid) && now - this.loadedAt >= this.unknownKidReloadMs) await this.reload();
    const key = this.keys.get(kid);
    return key && this.stillVerifies(key.record, now) ? key.publicKey : undefined;
  }

  /** The public keys that verify tokens now, newest first. */
  async published(): Promise<PublishedKey[]> {
    if (this.options.clock.now() - this.loadedAt >= this.reloadMs) await this.reload();
    const now = this.options.clock.now();
    return [...this.keys.values()]
      .filter((key) => this.stillVerifies(key.record, now))
      .map(({ record, jwk }) => ({ kid: record.kid, jwk, createdAt: record.createdAt, retiredAt: record.retiredAt }));
  }

  /** Makes a new key the one that signs; the others retire (and still verify for a while). Resolves its kid. */
  async rotate(): Promise<string> {
    const pair = await generateKeyPair(SigningAlgorithm, { crv: 'Ed25519', extractable: true });
    return this.adopt(await exportPKCS8(pair.privateKey), pair.publicKey);
  }

  /** Makes the given Ed25519 private key (PKCS#8 PEM) the signing key unless it is stored already. Resolves its kid. */
  async importPrivateKey(pem: string): Promise<string> {
    const publicKey = await publicKeyOf(pem);
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    await this.reload();
    if (this.keys.has(kid)) return kid;
    return this.adopt(pem, publicKey);
  }

  /** Re-reads the keys (single flight). */
  async reload(): Promise<void> {
    this.loading ??= this.readKeys().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async adopt(privatePem: string, publicKey: CryptoKey): Promise<string> {
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const now = this.options.clock.now();
    const record: SigningKey = {
      kid,
      publicJwk: JSON.stringify({ ...jwk, kid, alg: SigningAlgorithm, use: 'sig' }),
      privateKey: privatePem,
      createdAt: now,
      retiredAt: null,
    };
    await this.options.repository.add(record);
    await this.options.repository.retireAllExcept(kid, now);
    await this.options.repository.deleteRetiredBefore(now - this.retiredLifetimeMs());
    await this.reload();
    return kid;
  }

  private async readKeys(): Promise<void> {
    const records = await this.options.repository.list();
    const keys = new Map<string, LoadedKey>();
    for (const record of records) {
      const known = this.keys.get(record.kid);
      const jwk = known?.jwk ?? (JSON.parse(record.publicJwk) as JWK);
      const publicKey = known?.publicKey ?? ((await importJWK(jwk, SigningAlgorithm)) as CryptoKey);
      keys.set(record.kid, { record, publicKey, jwk });
    }
    this.keys = keys;
    // Newest first: the first unretired key signs.
    this.current = [...keys.values()].find((key) => key.record.retiredAt === null);
    this.loadedAt = this.options.clock.now();
  }

  private retiredLifetimeMs(): number {
    return this.options.verifyRetiredForMs + this.reloadMs;
  }

  private stillVerifies(record: SigningKey, now: number): boolean {
    return record.retiredAt === null || now < record.retiredAt + this.retiredLifetimeMs();
  }
}

const publicKeyOf = async (pem: string): Promise<CryptoKey> => {
  const privateKey = await importPKCS8(pem, SigningAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _secret, ...publicJwk } = jwk;
  return (await importJWK({ ...publicJwk, ext: true }, SigningAlgorithm)) as CryptoKey;
};
