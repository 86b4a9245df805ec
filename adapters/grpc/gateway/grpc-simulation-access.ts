import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { SimulationAccess, SimulationSnapshot } from '../../../core/gateway/index.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { SimulationServiceClient } from '../generated/simulation.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import { downstreamCall } from './downstream-call.js';

/**
 * Who may watch a simulation, as the simulation service's GetSimulationStatus answers for the user:
 * NOT_FOUND and PERMISSION_DENIED come back as the failures they are.
 */
export class GrpcSimulationAccess implements SimulationAccess {
  constructor(
    private readonly simulations: ServiceCalls<SimulationServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('simulation'),
  ) {}

  async readableSimulation(simulationId: string, userId: string): Promise<Result<SimulationSnapshot, DomainFailure>> {
    const answer = await downstreamCall(this.simulations, 'getSimulationStatus', { simulationId, userId }, this.timeoutMs);
    if (!answer.ok) return answer;
    const status = answer.value;
    return ok({
      simulationId: status.simulationId || simulationId,
      status: status.status,
      running: status.status === 'running',
      progressPercentage: status.progressPercentage,
    });
  }
}
