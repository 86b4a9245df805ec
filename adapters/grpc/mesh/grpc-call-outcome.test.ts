import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../core/shared/errors.js';
import { redisUnavailable } from '../../redis/redis-call.js';
import { toGrpcStatus } from '../to-grpc-status.js';
import { maintenanceRefusal } from '../../../core/simulation/maintenance.js';
import { fromGrpcStatus } from '../from-grpc-status.js';
import { callOutcomeOf, localError } from './grpc-call-outcome.js';

/** The trailers a server sends when its handler throws `error` (unary-handler.ts names the dependency). */
const trailersOf = (failure: Parameters<typeof toGrpcStatus>[0], dependency?: string): Metadata =>
  toGrpcStatus(failure, dependency).metadata!;

describe('callOutcomeOf', () => {
  it('counts an UNAVAILABLE the server answered naming its Redis as a dependency failure, not the instance', () => {
    const error = redisUnavailable('XADD reports', 'failed: no reply within 2000 ms');
    expect(callOutcomeOf(status.UNAVAILABLE, false, trailersOf(error.failure, 'redis'))).toBe('dependency_failure');
  });

  it('counts an UNAVAILABLE naming another service the server depends on as a dependency failure', () => {
    const error = new DependencyUnavailableError('auth', 'no instance of auth can take the call');
    expect(callOutcomeOf(status.UNAVAILABLE, false, trailersOf(error.failure, error.dependency))).toBe('dependency_failure');
  });

  it('counts a refusal the server answered on purpose with a Retry-After (a maintenance window) as its answer, not its failure', () => {
    const refusal = maintenanceRefusal({ id: 'w', message: 'upgrade', startsAt: 0, endsAt: Date.now() + 60_000 }, Date.now());
    const trailers = trailersOf(refusal);
    expect(callOutcomeOf(status.UNAVAILABLE, false, trailers)).toBe('application_error');
    trailers.set('x-meshwork-local', '1');
    expect(callOutcomeOf(status.UNAVAILABLE, false, trailers)).toBe('instance_failure');
  });

  it('counts transport failures against the instance: no trailers, or a status the pool made itself', () => {
    expect(callOutcomeOf(status.UNAVAILABLE, false, new Metadata())).toBe('instance_failure');
    expect(callOutcomeOf(status.UNAVAILABLE)).toBe('instance_failure');
    expect(callOutcomeOf(status.DEADLINE_EXCEEDED, false, new Metadata())).toBe('instance_failure');
    const local = localError(status.UNAVAILABLE, 'no connection');
    local.metadata.set('failure-dependency', 'redis');
    expect(callOutcomeOf(status.UNAVAILABLE, false, local.metadata)).toBe('instance_failure');
  });

  it('counts an UNAVAILABLE answered without naming a dependency (the instance busy or failing) against the instance', () => {
    const busy = { kind: 'unavailable', code: 'password_hashing_busy', message: 'busy' } as const;
    expect(callOutcomeOf(status.UNAVAILABLE, false, trailersOf(busy))).toBe('instance_failure');
  });

  it('names a dependency only on UNAVAILABLE', () => {
    const notFound = { kind: 'not_found', code: 'project_not_found', message: 'no such project' } as const;
    expect(trailersOf(notFound, 'redis').get('failure-dependency')).toEqual([]);
  });
});

describe('fromGrpcStatus of an answered refusal', () => {
  it("passes a maintenance refusal's code, message and Retry-After on, but not a dependency's outage", () => {
    const refusal = maintenanceRefusal({ id: 'w', message: 'upgrade', startsAt: 0, endsAt: 61_000 }, 1_000);
    const answered = Object.assign(new Error('refused'), { code: status.UNAVAILABLE, details: 'refused', metadata: trailersOf(refusal) });
    const outage = new DependencyUnavailableError('redis', 'Redis is away');
    const down = Object.assign(new Error('down'), {
      code: status.UNAVAILABLE,
      details: 'down',
      metadata: trailersOf(outage.failure, 'redis'),
    });

    expect(fromGrpcStatus(answered, 'simulation')).toEqual({ ...refusal, retryAfterMs: 60_000 });
    expect(fromGrpcStatus(down, 'simulation')).toMatchObject({ kind: 'unavailable', code: 'dependency_unavailable' });
  });
});
