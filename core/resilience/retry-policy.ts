/**
 * What repeating an rpc does, declared per method: reads, validations and health checks have no
 * effect and may go to another instance after a failure; writes only with an idempotency key
 * (the target then applies the key once).
 */
export type CallSafety = 'read' | 'validation' | 'health' | 'write';

export interface RetryableCall {
  readonly safety: CallSafety;
  /** The call carries an idempotency key. */
  readonly idempotencyKey: boolean;
}

export const isSafeToRetry = (call: RetryableCall): boolean => call.safety !== 'write' || call.idempotencyKey;

export interface RetryConfig {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Not worth another attempt with less than this much of the deadline left. */
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY: RetryConfig = { maxAttempts: 3, minAttemptMs: 5 };

export interface RetryQuestion extends RetryableCall {
  /** The failure says the instance could not serve the call (not that the call was wrong). */
  readonly retryableFailure: boolean;
  /** Attempts made so far (1 after the first). */
  readonly attempts: number;
  readonly remainingMs: number;
  /** Another instance not tried yet can take the call. */
  readonly otherInstance: boolean;
}

export type RetryDecision =
  | { readonly retry: true }
  | {
      readonly retry: false;
      readonly reason: 'not_retryable_failure' | 'unsafe' | 'attempts_exhausted' | 'deadline' | 'no_other_instance' | 'budget';
    };

/**
 * Whether to try the call again on another instance. The budget is asked last, so a retry that
 * would not happen anyway does not use it up.
 */
export const decideRetry = (question: RetryQuestion, config: RetryConfig, budget: { tryRetry(): boolean }): RetryDecision => {
  if (!question.retryableFailure) return { retry: false, reason: 'not_retryable_failure' };
  if (!isSafeToRetry(question)) return { retry: false, reason: 'unsafe' };
  if (question.attempts >= config.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  if (question.remainingMs < config.minAttemptMs) return { retry: false, reason: 'deadline' };
  if (!question.otherInstance) return { retry: false, reason: 'no_other_instance' };
  if (!budget.tryRetry()) return { retry: false, reason: 'budget' };
  return { retry: true };
};
