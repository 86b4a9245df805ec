import { describe, expect, it } from 'vitest';
import { decideRetry, DEFAULT_RETRY, isSafeToRetry, type RetryQuestion } from './retry-policy.js';

const question = (overrides: Partial<RetryQuestion> = {}): RetryQuestion => ({
  safety: 'read',
  idempotencyKey: false,
  retryableFailure: true,
  attempts: 1,
  remainingMs: 1_000,
  otherInstance: true,
  ...overrides,
});

const budget = (available: boolean) => {
  let asked = 0;
  return { tryRetry: () => ((asked += 1), available), asked: () => asked };
};

describe('isSafeToRetry', () => {
  it('allows reads, validations and health checks, and writes only with an idempotency key', () => {
    expect(isSafeToRetry({ safety: 'read', idempotencyKey: false })).toBe(true);
    expect(isSafeToRetry({ safety: 'validation', idempotencyKey: false })).toBe(true);
    expect(isSafeToRetry({ safety: 'health', idempotencyKey: false })).toBe(true);
    expect(isSafeToRetry({ safety: 'write', idempotencyKey: false })).toBe(false);
    expect(isSafeToRetry({ safety: 'write', idempotencyKey: true })).toBe(true);
  });
});

describe('decideRetry', () => {
  it('retries a safe call that failed for the instance on another one', () => {
    expect(decideRetry(question(), DEFAULT_RETRY, budget(true))).toEqual({ retry: true });
  });

  it.each([
    ['not_retryable_failure', { retryableFailure: false }],
    ['unsafe', { safety: 'write' as const }],
    ['attempts_exhausted', { attempts: 3 }],
    ['deadline', { remainingMs: 4 }],
    ['no_other_instance', { otherInstance: false }],
  ])('does not retry: %s, and leaves the budget untouched', (reason, overrides) => {
    const tokens = budget(true);

    expect(decideRetry(question(overrides), DEFAULT_RETRY, tokens)).toEqual({ retry: false, reason });
    expect(tokens.asked()).toBe(0);
  });

  it('does not retry when the budget is spent', () => {
    expect(decideRetry(question(), DEFAULT_RETRY, budget(false))).toEqual({ retry: false, reason: 'budget' });
  });

  it('retries a write that carries an idempotency key', () => {
    expect(decideRetry(question({ safety: 'write', idempotencyKey: true }), DEFAULT_RETRY, budget(true))).toEqual({
      retry: true,
    });
  });
});
