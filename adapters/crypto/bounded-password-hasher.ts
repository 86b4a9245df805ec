import { PasswordHasherBusy, type PasswordHasher } from '../../core/auth/ports.js';

export interface PasswordHashingBounds {
  /** Hashes and checks running at once (each holds a libuv thread for its whole cost). */
  readonly concurrency: number;
  /** Waiting at most, of hashes and of checks each; one more is refused at once with PasswordHasherBusy. */
  readonly queue: number;
  /** Sent as Retry-After when refused. Default 1,000 ms. */
  readonly retryAfterMs?: number;
}

type Task = () => void;

/**
 * Puts a PasswordHasher on a bounded pool: at most `concurrency` at work, at most `queue` waiting,
 * the rest refused at once (docs/adr/0035). Checks (logins) wait in a queue of their own that is
 * served first, so a burst of registrations can neither fill a login's queue nor get ahead of it. The libuv threads
 * scrypt does not take stay free for file, DNS and other crypto work.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private running = 0;
  private readonly checks: Task[] = [];
  private readonly hashes: Task[] = [];

  constructor(
    private readonly inner: PasswordHasher,
    private readonly bounds: PasswordHashingBounds,
  ) {
    if (!(bounds.concurrency >= 1) || !(bounds.queue >= 0)) throw new RangeError('password hashing needs concurrency >= 1 and queue >= 0');
  }

  hash(password: string): Promise<string> {
    return this.run(this.hashes, () => this.inner.hash(password));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.run(this.checks, () => this.inner.verify(password, hash));
  }

  /** How many are at work and waiting now. */
  load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.checks.length + this.hashes.length };
  }

  private run<T>(queue: Task[], work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start: Task = () => {
        this.running += 1;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.running -= 1;
            const next = this.checks.shift() ?? this.hashes.shift();
            next?.();
          });
      };
      if (this.running < this.bounds.concurrency) start();
      else if (queue.length < this.bounds.queue) queue.push(start);
      else reject(new PasswordHasherBusy(this.bounds.retryAfterMs ?? 1_000));
    });
  }
}
