import { Streams } from '../messaging/channels.js';
import type { DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import { findReadable } from './access.js';
import type { SimulationDeps } from './deps.js';
import { seriesOf } from './get-simulation-results.js';
import type { MetricSample } from './model/metric-sample.js';
import type { SimulationStatus } from './simulation.js';

export interface LiveMetricsInput {
  readonly simulationId: string;
  readonly userId: string;
  /** Epoch ms: only samples stamped after it. */
  readonly since?: number;
  /** At most this many samples, the newest; 0 or absent: none (only `latest`). */
  readonly maxSamples?: number;
}

export interface LiveMetrics {
  readonly simulationId: string;
  readonly status: SimulationStatus;
  readonly latest?: MetricSample;
  /** Oldest first. */
  readonly samples: readonly MetricSample[];
  /** `simulation:stream:{id}`, to follow the samples directly. */
  readonly streamKey: string;
}

/**
 * The latest samples: from the running simulation's recent raw samples when it runs in this
 * process (at most `liveSampleCapacity`), else from its stored series.
 */
export const getLiveMetrics = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects' | 'runs'>,
  input: LiveMetricsInput,
): Promise<Result<LiveMetrics, DomainFailure>> => {
  const found = await findReadable(deps, input.simulationId, input.userId);
  if (!found.ok) return found;
  const run = deps.runs.get(input.simulationId);
  const source = run ? run.recentSamples() : await seriesOf(deps, input.simulationId);
  const since = input.since;
  const after = since === undefined ? source : source.filter((sample) => sample.timestamp > since);
  const count = Math.max(0, Math.floor(input.maxSamples ?? 0));
  const latest = source[source.length - 1];
  return ok({
    simulationId: input.simulationId,
    status: found.value.status,
    ...(latest ? { latest } : {}),
    samples: count === 0 ? [] : after.slice(-count),
    streamKey: Streams.simulation(input.simulationId),
  });
};
