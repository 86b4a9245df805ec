import { DependencyUnavailableError } from '../../../core/shared/errors.js';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../../core/shared/clock.js';
import { SigningAlgorithm } from '../../crypto/stored-signing-keys.js';
import type { GrpcAuthClient } from '../auth/auth-grpc-client.js';

export interface RemoteSigningKeysOptions {
  /** Keys are re-read this often (retired keys drop out, new ones come in before they sign). Default 5 min. */
  readonly refreshMs?: number;
  /** Least time between re-reads caused by an unknown kid. Default 1 s. */
  readonly unknownKidRefreshMs?: number;
}

/** What a key lookup found: the key, no such key, or none to be had (auth could not be asked, or publishes none). */
export type KeyLookup = { readonly found: true; readonly key: CryptoKey } | { readonly found: false; readonly unavailable: boolean };

/**
 * The auth service's public token keys, fetched with GetSigningKeys and kept in memory: the
 * gateway verifies signatures itself (docs/adr/0022). A token naming an unknown kid makes it
 * re-read the keys (at most once per `unknownKidRefreshMs`: made-up kids cannot flood auth).
 */
export class RemoteSigningKeys {
  private keys = new Map<string, CryptoKey>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<boolean> | undefined;
  private readonly refreshMs: number;
  private readonly unknownKidRefreshMs: number;

  constructor(
    private readonly auth: GrpcAuthClient,
    private readonly clock: Clock,
    options: RemoteSigningKeysOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 300_000;
    this.unknownKidRefreshMs = options.unknownKidRefreshMs ?? 1_000;
  }

  async keyFor(kid: string | undefined): Promise<KeyLookup> {
    if (kid === undefined) return { found: false, unavailable: false };
    const age = this.clock.now() - this.fetchedAt;
    let known = this.keys.get(kid);
    if (age >= this.refreshMs && known) void this.refresh(); // in the background: the key in hand still verifies
    if (!known && age >= this.unknownKidRefreshMs) {
      const fetched = await this.refresh();
      known = this.keys.get(kid);
      if (!known && !fetched) return { found: false, unavailable: true };
    }
    if (known) return { found: true, key: known };
    // An auth that publishes no keys cannot be verified against: ValidateToken must answer.
    return { found: false, unavailable: this.keys.size === 0 };
  }

  /** Re-reads the keys (single flight); resolves false when auth could not answer. */
  refresh(): Promise<boolean> {
    this.fetching ??= this.fetch().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetch(): Promise<boolean> {
    const answer = await this.auth.getSigningKeys().catch((error: unknown) => {
      if (error instanceof DependencyUnavailableError) return undefined;
      throw error;
    });
    if (!answer?.ok) return false;
    const keys = new Map<string, CryptoKey>();
    for (const key of answer.value) {
      const known = this.keys.get(key.kid) ?? (await importPublicKey(key.jwk));
      if (known) keys.set(key.kid, known);
    }
    this.keys = keys;
    this.fetchedAt = this.clock.now();
    return true;
  }
}

/** A published JWK as a verification key; undefined for one that is not an Ed25519 public key (skipped, never thrown). */
const importPublicKey = async (jwk: string): Promise<CryptoKey | undefined> => {
  try {
    const parsed = JSON.parse(jwk) as JWK;
    if (parsed.kty !== 'OKP' || parsed.crv !== 'Ed25519' || parsed.d !== undefined) return undefined;
    return (await importJWK(parsed, SigningAlgorithm)) as CryptoKey;
  } catch {
    return undefined;
  }
};
