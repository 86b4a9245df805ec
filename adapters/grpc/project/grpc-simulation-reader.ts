import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { SimulationHistoryPage, SimulationReader, SimulationResultsData } from '../../../core/exports/ports.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import { MAX_STORED_SAMPLES } from '../../../core/simulation/index.js';
import type { SimulationServiceClient } from '../generated/simulation.js';
import { fromProtoSample } from '../simulation/metric-sample-proto.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';

export interface GrpcSimulationReaderOptions {
  /** Per call. Default 5 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The exports' SimulationReader over the Simulation Service's GetSimulationResults (with every
 * stored sample) and GetSimulationHistory. Failures keep the kind the simulation service answered
 * with; a service that is down or slow past the deadline throws `DependencyUnavailableError`.
 */
export class GrpcSimulationReader implements SimulationReader {
  private readonly timeoutMs: number;

  constructor(
    private readonly calls: ServiceCalls<SimulationServiceClient>,
    options: GrpcSimulationReaderOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? defaultCallTimeoutMs('simulation');
  }

  async canRead(simulationId: string, userId: string): Promise<Result<void, DomainFailure>> {
    const answer = await this.calls.call('getSimulationStatus', { simulationId, userId }, { timeoutMs: this.timeoutMs });
    return answer.ok ? ok(undefined) : answer;
  }

  async results(simulationId: string, userId: string): Promise<Result<SimulationResultsData, DomainFailure>> {
    const answer = await this.calls.call(
      'getSimulationResults',
      { simulationId, userId, includeSamples: true, maxSamples: MAX_STORED_SAMPLES },
      { timeoutMs: this.timeoutMs },
    );
    if (!answer.ok) return answer;
    const results = answer.value;
    return ok({
      simulationId: results.simulationId,
      projectId: results.projectId,
      status: results.status,
      startedAt: results.startedAt,
      completedAt: results.completedAt === 0 ? null : results.completedAt,
      durationSeconds: results.durationSeconds,
      summary: { ...results.summary },
      samples: results.samples.map(fromProtoSample),
    });
  }

  async history(projectId: string, userId: string, limit: number): Promise<Result<SimulationHistoryPage, DomainFailure>> {
    const answer = await this.calls.call(
      'getSimulationHistory',
      { userId, projectId, status: '', pageSize: limit, pageToken: '' },
      { timeoutMs: this.timeoutMs },
    );
    if (!answer.ok) return answer;
    return ok({
      totalCount: answer.value.totalCount,
      items: answer.value.simulations.map((simulation) => ({
        simulationId: simulation.simulationId,
        userId: simulation.userId,
        status: simulation.status,
        startedAt: simulation.startedAt,
        completedAt: simulation.completedAt === 0 ? null : simulation.completedAt,
        durationSeconds: simulation.durationSeconds,
        components: simulation.components,
      })),
    });
  }
}
