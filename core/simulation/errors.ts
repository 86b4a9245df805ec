import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';

export const simulationNotFound = (id: string): DomainFailure => failure('not_found', 'simulation_not_found', `No simulation ${id}`);

export const simulationForbidden = (): DomainFailure => failure('forbidden', 'simulation_forbidden', 'You may not access this simulation');

export const stopForbidden = (): DomainFailure =>
  failure('forbidden', 'simulation_stop_forbidden', 'Only the user who started a simulation or the project owner may stop it');

export const startForbidden = (access: string): DomainFailure =>
  failure('forbidden', 'simulation_start_forbidden', `Only the project's owner and editors may start simulations (your access: ${access})`);

/** Too many simulations running for `scope`; a retry may pass after `retryAfterMs`. */
export const quotaExceeded = (scope: 'user' | 'project', limit: number, retryAfterMs: number): DomainFailure => ({
  ...failure(
    'rate_limited',
    'simulation_quota_exceeded',
    scope === 'user'
      ? `You already have ${limit} simulations running, the most allowed at once; stop one or wait for one to finish`
      : `This project already has ${limit} simulations running, the most allowed at once; stop one or wait for one to finish`,
  ),
  retryAfterMs,
});

export const permissionDenied = (permission: string, reason: string): DomainFailure =>
  failure('forbidden', 'permission_denied', reason ? `${permission} denied: ${reason}` : `${permission} denied`);

export const invalidRequest = (violations: readonly FieldViolation[]): DomainFailure =>
  failure('invalid', 'invalid_request', `Invalid request: ${[...new Set(violations.map((v) => v.field))].join(', ')}`, violations);

/** Prefixes the violations of a configuration map with `configuration.`, as requests name them. */
export const inConfiguration = (violations: readonly FieldViolation[]): FieldViolation[] =>
  violations.map((v) => ({ field: `configuration.${v.field}`, message: v.message }));
