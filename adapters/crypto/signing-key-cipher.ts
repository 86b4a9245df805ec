import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A key that encrypts signing keys at rest; its id is stored with every row it sealed. */
export interface KeyEncryptionKey {
  readonly id: string;
  /** 32 bytes (AES-256). */
  readonly key: Buffer;
}

const Prefix = 'enc:v1:';
const IvBytes = 12;

/**
 * Seals token signing keys with AES-256-GCM (docs/adr/0035): `enc:v1:<key id>:<iv>:<ciphertext>:<tag>`,
 * base64url, the row's kid as additional data, so a sealed key moved to another row does not open.
 * The first key seals; every key opens, so the key can rotate: rows sealed under an older key are
 * sealed again under the current one when the service starts.
 */
export class SigningKeyCipher {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: readonly KeyEncryptionKey[]) {
    if (keys.length === 0) throw new RangeError('a signing key cipher needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new RangeError(`key encryption key ${id} must be 32 bytes`);
      if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new RangeError(`key encryption key id ${id} must be letters, digits, _ . -`);
    }
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plaintext: string, kid: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IvBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${Prefix}${id}:${iv.toString('base64url')}:${sealed.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext of a sealed value; throws when its key is unknown or it was altered. A value never sealed is returned as is. */
  open(stored: string, kid: string): string {
    if (!isSealed(stored)) return stored;
    const [id = '', iv = '', sealed = '', tag = ''] = stored.slice(Prefix.length).split(':');
    const key = this.byId.get(id);
    if (!key) throw new Error(`signing key ${kid} is sealed under key encryption key '${id}', which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`signing key ${kid} does not open under key encryption key '${id}': altered, or another key with that id`);
    }
  }

  /** Whether a stored value is plaintext or sealed under a key other than the current one. */
  needsSealing(stored: string): boolean {
    return !isSealed(stored) || !stored.startsWith(`${Prefix}${this.currentKeyId}:`);
  }
}

export const isSealed = (stored: string): boolean => stored.startsWith(Prefix);

/**
 * The key in `file` (base64 of 32 bytes), made when missing with mode 0600 in a 0700 directory, as
 * the development PKI is: for development, where no key is configured. Its id is derived from it.
 */
export const loadOrCreateKeyFile = async (file: string): Promise<KeyEncryptionKey> => {
  let encoded: string;
  try {
    encoded = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (raced) {
      // Another instance on the same data directory made it first: use theirs.
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
    }
    encoded = await readFile(file, 'utf8');
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold the base64 of 32 bytes`);
  return { id: `file-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, key };
};
