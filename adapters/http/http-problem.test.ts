import { describe, expect, it } from 'vitest';
import { failure, type FailureKind } from '../../core/shared/errors.js';
import { problem, toHttpProblem } from './http-problem.js';

describe('toHttpProblem', () => {
  it.each([
    ['invalid', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const satisfies readonly (readonly [FailureKind, number])[])('maps %s to %i', (kind, status) => {
    const mapped = toHttpProblem(failure(kind, 'some_code', 'Something happened.'));
    expect(mapped.status).toBe(status);
    expect(mapped.body).toEqual({
      type: 'urn:meshwork:problem:some_code',
      title: expect.any(String),
      status,
      detail: 'Something happened.',
    });
  });

  it('asks an unauthenticated caller for a bearer token, and nobody else', () => {
    expect(toHttpProblem(failure('unauthenticated', 'no_token', 'No token.')).headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(toHttpProblem(failure('forbidden', 'not_owner', 'Not yours.')).headers).toEqual({});
  });

  it('carries field violations as errors', () => {
    const violations = [{ field: 'name', message: 'is taken' }];
    expect(toHttpProblem(failure('conflict', 'name_taken', 'Taken.', violations)).body.errors).toEqual(violations);
  });
});

describe('problem', () => {
  it('leaves out an empty error list', () => {
    expect(problem(400, 'bad', 'Bad', 'Bad.', []).body).not.toHaveProperty('errors');
  });
});
