import type { Clock } from '../shared/clock.js';
import type { DomainFailure } from '../shared/errors.js';
import { IdempotencyFailures } from './errors.js';
import type { IdempotencyStore } from './ports.js';

/** One write sent with an idempotency key. */
export interface IdempotentWriteRequest {
  readonly key: string;
  /** Says which request this is (method, caller, body): the same key with another fingerprint is refused. */
  readonly fingerprint: string;
  /** Epoch ms: how long this call may wait for the answer of another attempt with the same key. */
  readonly waitUntil: number;
}

/** What running the write itself gave. */
export type WriteRun =
  /** `remember`: store `outcome` (a success, or a failure after something was committed). */
  | { readonly kind: 'answered'; readonly outcome: string; readonly remember: boolean }
  /** Another attempt committed a write under this key while this one ran; this one's changes were rolled back. */
  | { readonly kind: 'taken' };

export type IdempotentAnswer =
  /** This call made the write: its own outcome. `unremembered`: storing it failed (a retry will not replay it). */
  | { readonly kind: 'answered'; readonly outcome: string; readonly unremembered?: unknown }
  /** An earlier attempt made it: its outcome, as it answered then. */
  | { readonly kind: 'replayed'; readonly outcome: string }
  | { readonly kind: 'refused'; readonly failure: DomainFailure };

export interface IdempotentWritesOptions {
  /** How long an outcome is remembered. */
  readonly retentionMs: number;
  /** First pause while waiting for another attempt's answer; doubles up to 200 ms. Default 20 ms. */
  readonly pollMs?: number;
}

/**
 * Runs each write with an idempotency key at most once per key (docs/adr/0058): the same key and
 * the same request get the first outcome again; the same key with another request is refused
 * (`idempotency_key_reused`). Attempts with one key in this process run one after the other; across
 * processes the store's adapter makes the second one's write fail as `taken` (SQL: the key is
 * written in the write's own transaction or statement), and it answers with the first one's outcome once stored.
 */
export class IdempotentWrites {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly pollMs: number;

  constructor(
    readonly store: IdempotencyStore,
    private readonly clock: Clock,
    private readonly pause: (ms: number) => Promise<void>,
    private readonly options: IdempotentWritesOptions,
  ) {
    this.pollMs = options.pollMs ?? 20;
  }

  async run(request: IdempotentWriteRequest, write: () => Promise<WriteRun>): Promise<IdempotentAnswer> {
    for (let running = this.inFlight.get(request.key); running; running = this.inFlight.get(request.key)) {
      await running.catch(() => undefined);
    }
    const answer = this.once(request, write);
    this.inFlight.set(request.key, answer);
    try {
      return await answer;
    } finally {
      if (this.inFlight.get(request.key) === answer) this.inFlight.delete(request.key);
    }
  }

  /** Forgets the outcomes whose time is up. */
  prune(): Promise<number> {
    return this.store.prune(this.clock.now());
  }

  private async once(request: IdempotentWriteRequest, write: () => Promise<WriteRun>): Promise<IdempotentAnswer> {
    const remembered = await this.store.find(request.key, this.clock.now());
    if (remembered) return this.answerOf(request, remembered.fingerprint, remembered.outcome);
    const ran = await write();
    if (ran.kind === 'taken') return this.awaitOutcome(request);
    if (!ran.remember) return { kind: 'answered', outcome: ran.outcome };
    const now = this.clock.now();
    try {
      await this.store.remember(request.key, request.fingerprint, ran.outcome, now, now + this.options.retentionMs);
      return { kind: 'answered', outcome: ran.outcome };
    } catch (error) {
      return { kind: 'answered', outcome: ran.outcome, unremembered: error };
    }
  }

  private answerOf(
    request: IdempotentWriteRequest,
    fingerprint: string,
    outcome: string | undefined,
  ): Promise<IdempotentAnswer> | IdempotentAnswer {
    if (fingerprint !== request.fingerprint) return { kind: 'refused', failure: IdempotencyFailures.reused() };
    return outcome === undefined ? this.awaitOutcome(request) : { kind: 'replayed', outcome };
  }

  /** Another attempt committed the write: wait for its outcome, as long as this call may wait. */
  private async awaitOutcome(request: IdempotentWriteRequest): Promise<IdempotentAnswer> {
    for (let pause = this.pollMs; ; pause = Math.min(pause * 2, 200)) {
      const remembered = await this.store.find(request.key, this.clock.now());
      if (remembered?.outcome !== undefined || (remembered && remembered.fingerprint !== request.fingerprint)) {
        return this.answerOf(request, remembered.fingerprint, remembered.outcome);
      }
      const left = request.waitUntil - this.clock.now();
      if (left <= 0) return { kind: 'refused', failure: IdempotencyFailures.inUse() };
      await this.pause(Math.min(pause, left));
    }
  }
}
