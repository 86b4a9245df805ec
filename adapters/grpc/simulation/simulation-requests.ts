import { failure, type DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import type { HistoryInput, StartSimulationInput, ValidateConfigurationInput } from '../../../core/simulation/index.js';
import type { GetSimulationHistoryRequest, StartSimulationRequest, ValidateConfigurationRequest } from '../generated/simulation.js';

/**
 * Proto requests to use-case inputs. proto3 cannot tell an unset scalar from its zero value, so 0
 * and '' mean "not given" where the domain has a default (duration, since, project, status).
 */

/** INVALID_ARGUMENT naming every blank field among `fields` (wire names), else ok. */
export const requireFields = (fields: Readonly<Record<string, string>>): Result<void, DomainFailure> => {
  const missing = Object.entries(fields)
    .filter(([, value]) => value.trim() === '')
    .map(([field]) => field);
  if (missing.length === 0) return ok(undefined);
  const violations = missing.map((field) => ({ field, message: 'is required' }));
  return err(failure('invalid', 'missing_field', `Required: ${missing.join(', ')}`, violations));
};

/** 0, proto3's "not set", as absent. */
export const zeroAsAbsent = (value: number): number | undefined => (value === 0 ? undefined : value);

export const startInput = (request: StartSimulationRequest): StartSimulationInput => ({
  userId: request.userId,
  projectId: request.projectId,
  configuration: request.configuration,
  components: request.components,
  durationSeconds: zeroAsAbsent(request.durationSeconds),
  enableRealTime: request.enableRealTime,
});

export const validateInput = (request: ValidateConfigurationRequest): ValidateConfigurationInput => ({
  userId: request.userId,
  projectId: request.projectId || undefined,
  configuration: request.configuration,
  components: request.components,
  durationSeconds: zeroAsAbsent(request.durationSeconds),
});

export const historyInput = (request: GetSimulationHistoryRequest): HistoryInput => ({
  userId: request.userId,
  projectId: request.projectId || undefined,
  status: request.status || undefined,
  pageSize: zeroAsAbsent(request.pageSize),
  pageToken: request.pageToken || undefined,
});

/** Samples GetSimulationResults returns when asked for samples without a cap (`max_samples` 0). */
export const DEFAULT_RESULT_SAMPLES = 1_000;
