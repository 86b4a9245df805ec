import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../../core/auth/ports.js';

export interface ScryptCost {
  /** CPU/memory cost, a power of two. Default 2^15 (about 85 ms per hash on this 2-core machine). */
  readonly N: number;
  /** Block size. Default 8. */
  readonly r: number;
  /** Parallelisation. Default 1. */
  readonly p: number;
}

export const defaultScryptCost: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const SaltBytes = 16;
const KeyBytes = 32;
// Hashes are `scrypt$N$r$p$salt$hash`, salt and hash in unpadded base64url.
const HashShape = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;
// Stored parameters above these are refused: a planted hash must not make verify allocate gigabytes.
const MaxN = 2 ** 20;
const MaxRp = 32;

/** PasswordHasher with node:crypto scrypt (async, off the event loop) and a random 16-byte salt. */
export class ScryptPasswordHasher implements PasswordHasher {
  private readonly cost: ScryptCost;

  constructor(cost: Partial<ScryptCost> = {}) {
    this.cost = { ...defaultScryptCost, ...cost };
    checkCost(this.cost);
  }

  async hash(password: string): Promise<string> {
    const { N, r, p } = this.cost;
    const salt = randomBytes(SaltBytes);
    const key = await derive(password, salt, KeyBytes, this.cost);
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    const match = HashShape.exec(hash);
    if (!match) throw new Error('not a scrypt password hash');
    const [, n = '', r = '', p = '', salt = '', expectedKey = ''] = match;
    const cost = { N: Number(n), r: Number(r), p: Number(p) };
    checkCost(cost);
    const expected = Buffer.from(expectedKey, 'base64url');
    if (expected.length < 16) throw new Error('scrypt password hash too short');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), expected.length, cost);
    return timingSafeEqual(actual, expected);
  }
}

const derive = (password: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // Node's default maxmem (32 MiB) rejects N = 2^15 with r = 8 (which needs exactly 32 MiB).
    const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

const checkCost = ({ N, r, p }: ScryptCost): void => {
  const powerOfTwo = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MaxN || !inRange(r) || !inRange(p)) {
    throw new RangeError(`scrypt cost out of range: N=${N} (power of two up to 2^20), r=${r}, p=${p} (1 to ${MaxRp})`);
  }
};

const inRange = (value: number): boolean => Number.isInteger(value) && value >= 1 && value <= MaxRp;
