import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The write a server is serving with an idempotency key (docs/adr/0058), for the store that
 * records the key in the write's own transaction or statement. `owner` is that store: a scope leaks into
 * whatever the handler's async work reaches (a socket opened inside it, a service of the same
 * process), and only its own store may act on it.
 */
export interface WriteScope {
  readonly owner: object;
  readonly key: string;
  readonly fingerprint: string;
  /**
   * The outcome, encoded as stored, that the call answers once its write stored `written`, for the
   * methods whose answer follows from what they wrote: it is then stored in the write's own
   * transaction, so no crash can separate the write from its answer (docs/adr/0058).
   */
  readonly answerFromWrite?: (written: unknown) => string;
  /** Set once a transaction recorded the key. */
  recorded: boolean;
  /** Set when another attempt had already recorded it: this attempt's transaction was rolled back. */
  taken: boolean;
}

const scopes = new AsyncLocalStorage<WriteScope>();

export const runInWriteScope = <T>(scope: WriteScope, run: () => T): T => scopes.run(scope, run);

/** The scope of the write being served for `owner`, if any. */
export const writeScopeOf = (owner: object): WriteScope | undefined => {
  const scope = scopes.getStore();
  return scope?.owner === owner ? scope : undefined;
};
