/**
 * A write remembered under its idempotency key: the fingerprint of the request that made it, and
 * its outcome as the transport encoded it (a response or a failure). `outcome` is absent while the
 * write is committed but its answer not yet stored (the attempt that made it is finishing, or died
 * in between: docs/adr/0058).
 */
export interface RememberedWrite {
  readonly fingerprint: string;
  readonly outcome?: string;
}

/**
 * Where a service remembers the outcome of its writes by idempotency key, for a bounded time
 * (docs/adr/0058). Keys are opaque and already scoped by the caller (the gateway prefixes the user).
 */
export interface IdempotencyStore {
  /** The write remembered under `key`, unless it expired before `now`; undefined when none. */
  find(key: string, now: number): Promise<RememberedWrite | undefined>;
  /**
   * Stores `outcome` for `key` until `expiresAt`. A key already remembered with an outcome keeps
   * it (the first answer wins); one remembered without an outcome and with the same fingerprint
   * gets this one. Idempotent.
   */
  remember(key: string, fingerprint: string, outcome: string, now: number, expiresAt: number): Promise<void>;
  /** Forgets every key that expired before `now`; resolves how many. */
  prune(now: number): Promise<number>;
}
