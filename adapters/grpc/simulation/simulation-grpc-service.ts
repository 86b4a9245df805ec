import type { SimulationService } from '../../../core/simulation/index.js';
import type { Logger } from '../../observability/logger.js';
import type { SimulationServiceServer } from '../generated/simulation.js';
import { serviceHealth } from '../service-health.js';
import { unaryHandler } from '../unary-handler.js';
import {
  analysisResponse,
  historyResponse,
  liveMetricsResponse,
  resultsResponse,
  startedResponse,
  statusResponse,
  stopResponse,
  validationResponse,
} from './simulation-proto-mapping.js';
import { DEFAULT_RESULT_SAMPLES, historyInput, requireFields, startInput, validateInput, zeroAsAbsent } from './simulation-requests.js';

/**
 * `simulation.SimulationService` over gRPC: proto messages to the simulation use cases and back.
 * Blank ids are INVALID_ARGUMENT; the use cases' failures (unknown simulation NOT_FOUND, another
 * user's simulation PERMISSION_DENIED, an invalid configuration INVALID_ARGUMENT with every field)
 * go through `toGrpcStatus`. An invalid configuration sent to ValidateConfiguration is an answer
 * (`valid: false`), not an error.
 */
export const simulationGrpcService = (simulations: SimulationService, logger: Logger): SimulationServiceServer => ({
  startSimulation: unaryHandler(async (request) => {
    const required = requireFields({ user_id: request.userId });
    if (!required.ok) return required;
    const started = await simulations.startSimulation(startInput(request));
    return started.ok ? startedResponse(started.value) : started;
  }, logger),

  stopSimulation: unaryHandler(async ({ simulationId, userId, reason }) => {
    const required = requireFields({ simulation_id: simulationId, user_id: userId });
    if (!required.ok) return required;
    const outcome = await simulations.stopSimulation({ simulationId, userId, reason: reason || undefined });
    return outcome.ok ? stopResponse(outcome.value) : outcome;
  }, logger),

  getSimulationStatus: unaryHandler(async ({ simulationId, userId }) => {
    const required = requireFields({ simulation_id: simulationId, user_id: userId });
    if (!required.ok) return required;
    const view = await simulations.getStatus({ simulationId, userId });
    return view.ok ? statusResponse(view.value) : view;
  }, logger),

  getSimulationResults: unaryHandler(async ({ simulationId, userId, includeSamples, maxSamples }) => {
    const required = requireFields({ simulation_id: simulationId, user_id: userId });
    if (!required.ok) return required;
    const view = await simulations.getResults({
      simulationId,
      userId,
      maxSamples: includeSamples ? maxSamples || DEFAULT_RESULT_SAMPLES : 1,
    });
    return view.ok ? resultsResponse(view.value, includeSamples) : view;
  }, logger),

  getLiveMetrics: unaryHandler(async ({ simulationId, userId, since, maxSamples }) => {
    const required = requireFields({ simulation_id: simulationId, user_id: userId });
    if (!required.ok) return required;
    const live = await simulations.getLiveMetrics({ simulationId, userId, since: zeroAsAbsent(since), maxSamples });
    return live.ok ? liveMetricsResponse(live.value) : live;
  }, logger),

  getPerformanceAnalysis: unaryHandler(async ({ simulationId, userId }) => {
    const required = requireFields({ simulation_id: simulationId, user_id: userId });
    if (!required.ok) return required;
    const analysis = await simulations.getPerformanceAnalysis({ simulationId, userId });
    return analysis.ok ? analysisResponse(analysis.value) : analysis;
  }, logger),

  validateConfiguration: unaryHandler(async (request) => {
    const required = requireFields({ user_id: request.userId });
    if (!required.ok) return required;
    const validation = await simulations.validateConfiguration(validateInput(request));
    return validation.ok ? validationResponse(validation.value) : validation;
  }, logger),

  getSimulationHistory: unaryHandler(async (request) => {
    const required = requireFields({ user_id: request.userId });
    if (!required.ok) return required;
    const history = await simulations.getHistory(historyInput(request));
    return history.ok ? historyResponse(history.value) : history;
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('simulation', { active_runs: String(simulations.activeRuns()) }), logger),
});
