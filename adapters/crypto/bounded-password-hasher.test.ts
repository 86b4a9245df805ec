import { describe, expect, it } from 'vitest';
import { PasswordHasherBusy, type PasswordHasher } from '../../core/auth/ports.js';
import { BoundedPasswordHasher } from './bounded-password-hasher.js';

/** A hasher whose every call waits until the test finishes it, recording the order calls started in. */
const gatedHasher = () => {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const gate = <T>(label: string, value: T) =>
    new Promise<T>((resolve) => {
      started.push(label);
      gates.push(() => resolve(value));
    });
  const hasher: PasswordHasher = {
    hash: (password) => gate(`hash:${password}`, 'h'),
    verify: (password) => gate(`verify:${password}`, true),
  };
  return { hasher, started, finishNext: () => gates.shift()?.() };
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedPasswordHasher', () => {
  it('runs at most `concurrency` at once, serves checks before hashes, and refuses past the queue at once', async () => {
    const { hasher, started, finishNext } = gatedHasher();
    const bounded = new BoundedPasswordHasher(hasher, { concurrency: 1, queue: 2, retryAfterMs: 750 });

    const calls = [bounded.hash('a'), bounded.hash('b'), bounded.hash('c')];
    const refused = bounded.hash('d');
    const check = bounded.verify('x', 'h');
    await expect(refused).rejects.toEqual(new PasswordHasherBusy(750));
    expect(started).toEqual(['hash:a']);
    expect(bounded.load()).toEqual({ running: 1, waiting: 3 });

    finishNext();
    await tick();
    // The check came after b and c but starts first.
    expect(started).toEqual(['hash:a', 'verify:x']);
    for (let i = 0; i < 3; i += 1) {
      finishNext();
      await tick();
    }
    expect(started).toEqual(['hash:a', 'verify:x', 'hash:b', 'hash:c']);
    await expect(Promise.all([...calls, check])).resolves.toEqual(['h', 'h', 'h', true]);
    expect(bounded.load()).toEqual({ running: 0, waiting: 0 });
  });
});
