import type {
  ConfigurationValidation,
  HistoryView,
  LiveMetrics,
  PerformanceAnalysisView,
  SimulationResultsView,
  SimulationStatusView,
  StartedSimulation,
  StopOutcome,
} from '../../../core/simulation/index.js';
import {
  analysisResponse,
  historyResponse,
  liveMetricsResponse,
  resultsResponse,
  startedResponse,
  statusResponse,
  stopResponse,
  validationResponse,
} from '../../grpc/simulation/simulation-proto-mapping.js';
import { toClientJson } from './client-json.js';

/**
 * Simulations as a successful client request gets them, on the simulation service's own port: the
 * domain result becomes `simulation.SimulationService`'s response message (the one the gateway
 * receives over gRPC), rendered by the gateway's `toClientJson`, so both ports answer the same body
 * (docs/adr/0043).
 */

type ClientJson = Record<string, unknown>;
const render = (message: object): ClientJson => toClientJson(message) as ClientJson;

export const simulationJson = {
  started: (started: StartedSimulation): ClientJson => render(startedResponse(started)),
  stopped: (outcome: StopOutcome): ClientJson => render(stopResponse(outcome)),
  status: (view: SimulationStatusView): ClientJson => render(statusResponse(view)),
  results: (view: SimulationResultsView, includeSamples: boolean): ClientJson => render(resultsResponse(view, includeSamples)),
  liveMetrics: (live: LiveMetrics): ClientJson => render(liveMetricsResponse(live)),
  analysis: (analysis: PerformanceAnalysisView): ClientJson => render(analysisResponse(analysis)),
  validation: (validation: ConfigurationValidation): ClientJson => render(validationResponse(validation)),
  history: (history: HistoryView): ClientJson => render(historyResponse(history)),
} as const;
