import type { SigningKey } from '../../core/auth/model.js';
import type { SigningKeyRepository } from '../../core/auth/ports.js';
import type { SigningKeyCipher } from './signing-key-cipher.js';

/**
 * A SigningKeyRepository whose private keys are sealed before they are stored and opened when read
 * (docs/adr/0035): the database holds no private key in the clear. Everything else is the inner one's.
 */
export class EncryptedSigningKeyRepository implements SigningKeyRepository {
  constructor(
    private readonly inner: SigningKeyRepository,
    private readonly cipher: SigningKeyCipher,
  ) {}

  add(key: SigningKey): Promise<boolean> {
    return this.inner.add({ ...key, privateKey: this.cipher.seal(key.privateKey, key.kid) });
  }

  async list(): Promise<SigningKey[]> {
    return (await this.inner.list()).map((key) => ({ ...key, privateKey: this.cipher.open(key.privateKey, key.kid) }));
  }

  retireAllExcept(kid: string, at: number): Promise<number> {
    return this.inner.retireAllExcept(kid, at);
  }

  deleteRetiredBefore(before: number): Promise<number> {
    return this.inner.deleteRetiredBefore(before);
  }
}
