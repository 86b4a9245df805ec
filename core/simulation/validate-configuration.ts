import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { parseSimulationConfig, type ConfigurationMap } from './configuration.js';
import { configurationWarnings } from './configuration-warnings.js';
import type { SimulationDeps } from './deps.js';
import { inConfiguration } from './errors.js';
import { checkRunShape, estimateDurationSeconds, mergeConfiguration } from './request-rules.js';

export interface ValidateConfigurationInput {
  readonly userId: string;
  /** When given, the project's configuration is merged under `configuration` (the user must be able to read it). */
  readonly projectId?: string;
  readonly configuration: ConfigurationMap;
  readonly components?: readonly string[];
  readonly durationSeconds?: number;
  /** Only for the estimate; default true. */
  readonly enableRealTime?: boolean;
}

export interface ConfigurationValidation {
  readonly valid: boolean;
  /** Every invalid field: `configuration.<key>`, `duration_seconds`, `components[i]`. */
  readonly errors: readonly FieldViolation[];
  readonly warnings: readonly string[];
  readonly estimatedDurationSeconds: number;
}

/**
 * What StartSimulation would say about this configuration, without starting anything. An invalid
 * configuration is a successful answer (`valid: false`); a project the user cannot read is a failure.
 */
export const validateConfiguration = async (
  deps: Pick<SimulationDeps, 'projects' | 'settings'>,
  input: ValidateConfigurationInput,
): Promise<Result<ConfigurationValidation, DomainFailure>> => {
  let base: ConfigurationMap = {};
  if (input.projectId) {
    const project = await deps.projects.getProject(input.projectId, input.userId);
    if (!project.ok) return project;
    base = project.value.configuration;
  }
  const { merged, ignored } = mergeConfiguration(base, input.configuration);
  const { shape, violations } = checkRunShape(input.durationSeconds, input.components);
  const config = parseSimulationConfig(merged);
  const errors = [...(config.ok ? [] : inConfiguration(config.error.violations ?? [])), ...violations];
  const warnings = [
    ...ignored.map((key) => `Project setting ${key} is not a simulation setting and is ignored.`),
    ...(config.ok ? configurationWarnings(config.value) : []),
  ];
  return ok({
    valid: errors.length === 0,
    errors,
    warnings,
    estimatedDurationSeconds: estimateDurationSeconds(shape.durationSeconds, input.enableRealTime ?? true, deps.settings.updatesPerSecond),
  });
};
