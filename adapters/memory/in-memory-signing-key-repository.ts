import type { SigningKey } from '../../core/auth/model.js';
import type { SigningKeyRepository } from '../../core/auth/ports.js';

/** SigningKeyRepository in a Map by kid: one process's auth instances share it. */
export class InMemorySigningKeyRepository implements SigningKeyRepository {
  private readonly keys = new Map<string, SigningKey>();

  async add(key: SigningKey): Promise<boolean> {
    if (this.keys.has(key.kid)) return false;
    this.keys.set(key.kid, { ...key });
    return true;
  }

  async list(): Promise<SigningKey[]> {
    return [...this.keys.values()]
      .map((key) => ({ ...key }))
      .sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : a.kid > b.kid ? -1 : 0));
  }

  async retireAllExcept(kid: string, at: number): Promise<number> {
    let retired = 0;
    for (const key of this.keys.values()) {
      if (key.kid === kid || key.retiredAt !== null) continue;
      this.keys.set(key.kid, { ...key, retiredAt: at });
      retired += 1;
    }
    return retired;
  }

  async deleteRetiredBefore(before: number): Promise<number> {
    let deleted = 0;
    for (const key of [...this.keys.values()]) {
      if (key.retiredAt !== null && key.retiredAt < before) {
        this.keys.delete(key.kid);
        deleted += 1;
      }
    }
    return deleted;
  }
}
