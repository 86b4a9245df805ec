import { describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from './scrypt-password-hasher.js';

// Cheap cost so the tests run in milliseconds; the default cost is checked once below.
const hasher = new ScryptPasswordHasher({ N: 2 ** 10 });

describe('ScryptPasswordHasher', () => {
  it('verifies the password it hashed and refuses another', async () => {
    const hash = await hasher.hash('correct horse battery');

    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse batterY', hash)).toBe(false);
  });

  it('writes scrypt$N$r$p$salt$hash with a fresh 16-byte salt each time', async () => {
    const first = await hasher.hash('same password');
    const second = await hasher.hash('same password');

    expect(first).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
  });

  it('verifies hashes made with another cost, reading the cost from the hash', async () => {
    const old = await new ScryptPasswordHasher({ N: 2 ** 11, r: 4 }).hash('secret words');

    expect(await hasher.verify('secret words', old)).toBe(true);
  });

  it('treats differently composed but equal Unicode passwords as the same', async () => {
    const hash = await hasher.hash('caf\u00e9 au lait');

    expect(await hasher.verify('cafe\u0301 au lait', hash)).toBe(true);
  });

  it('rejects a string that is not one of its hashes, and a hash demanding an absurd cost', async () => {
    await expect(hasher.verify('x', 'plain-text')).rejects.toThrow('not a scrypt password hash');
    const absurd = 'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g';
    await expect(hasher.verify('x', absurd)).rejects.toThrow(RangeError);
  });

  it('refuses a cost that is not a power of two', () => {
    expect(() => new ScryptPasswordHasher({ N: 1000 })).toThrow(RangeError);
  });

  it('hashes at the default cost (N = 2^15) well within a second', async () => {
    const defaultHasher = new ScryptPasswordHasher();
    const started = performance.now();

    const hash = await defaultHasher.hash('correct horse battery');

    expect(hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    // About 85 ms on an idle 2-core machine; the bound only catches a cost set orders too high.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
