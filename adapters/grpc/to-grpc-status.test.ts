import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { failure, type FailureKind } from '../../core/shared/errors.js';
import { FAILURE_METADATA, toGrpcStatus } from './to-grpc-status.js';

describe('toGrpcStatus', () => {
  it.each<[FailureKind, status]>([
    ['invalid', status.INVALID_ARGUMENT],
    ['unauthenticated', status.UNAUTHENTICATED],
    ['forbidden', status.PERMISSION_DENIED],
    ['not_found', status.NOT_FOUND],
    ['conflict', status.ALREADY_EXISTS],
    ['unavailable', status.UNAVAILABLE],
    ['rate_limited', status.RESOURCE_EXHAUSTED],
  ])('maps %s to %s', (kind, code) => {
    expect(toGrpcStatus(failure(kind, 'some_code', 'Something happened')).code).toBe(code);
  });

  it('keeps the failure message as the status message and carries kind and code in trailers', () => {
    const answer = toGrpcStatus(failure('not_found', 'project_missing', 'No project p-1'));
    expect(answer.details).toBe('No project p-1');
    expect(answer.metadata.get(FAILURE_METADATA.kind)).toEqual(['not_found']);
    expect(answer.metadata.get(FAILURE_METADATA.code)).toEqual(['project_missing']);
    expect(answer.metadata.get(FAILURE_METADATA.violations)).toEqual([]);
  });

  it('lists field violations in the message and as JSON in a trailer', () => {
    const violations = [
      { field: 'name', message: 'must not be empty' },
      { field: 'role', message: 'must be "viewer" or "editor"' },
    ];
    const answer = toGrpcStatus(failure('invalid', 'bad_share', 'Cannot share the project', violations));
    expect(answer.details).toBe('Cannot share the project (name: must not be empty; role: must be "viewer" or "editor")');
    const [json] = answer.metadata.get(FAILURE_METADATA.violations);
    expect(JSON.parse(String(json))).toEqual(violations);
  });

  it('keeps non-ASCII violations readable through the ASCII-only trailer', () => {
    const violations = [{ field: 'description', message: 'trop longue — 300 caractères max 🚫' }];
    const answer = toGrpcStatus(failure('invalid', 'too_long', 'Invalid', violations));
    const [json] = answer.metadata.get(FAILURE_METADATA.violations);
    expect(String(json)).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(String(json))).toEqual(violations);
  });
});
