import type {
  Bottleneck,
  ConfigurationValidation,
  HistoryView,
  LiveMetrics,
  PerformanceAnalysisView,
  SaturationPoint,
  Simulation,
  SimulationResultsView,
  SimulationStatusView,
  StartedSimulation,
  StopOutcome,
} from '../../../core/simulation/index.js';
import type {
  Bottleneck as ProtoBottleneck,
  GetLiveMetricsResponse,
  GetPerformanceAnalysisResponse,
  GetSimulationHistoryResponse,
  GetSimulationResultsResponse,
  GetSimulationStatusResponse,
  SaturationPoint as ProtoSaturationPoint,
  SimulationSummary,
  StartSimulationResponse,
  StopSimulationResponse,
  ValidateConfigurationResponse,
} from '../generated/simulation.js';
import { sampleAsMap, toProtoSample } from './metric-sample-proto.js';

/** Domain views to `simulation.proto` messages. Absent values become the proto's zero values ('' and 0). */

export const startedResponse = (started: StartedSimulation): StartSimulationResponse => ({
  simulationId: started.simulationId,
  status: started.status,
  startedAt: started.startedAt,
  websocketChannel: started.websocketChannel ?? '',
  estimatedDuration: started.estimatedDurationSeconds,
});

export const stopResponse = (outcome: StopOutcome): StopSimulationResponse => ({
  stopped: outcome.stopped,
  simulationId: outcome.simulation.id,
  status: outcome.simulation.status,
  stoppedAt: outcome.simulation.completedAt ?? 0,
  reason: outcome.reason ?? '',
});

export const statusResponse = (view: SimulationStatusView): GetSimulationStatusResponse => ({
  simulationId: view.simulationId,
  status: view.status,
  progressPercentage: view.progressPercentage,
  startedAt: view.startedAt,
  estimatedCompletion: view.estimatedCompletion,
  activeComponents: [...view.activeComponents],
  currentMetrics: sampleAsMap(view.currentMetrics),
});

/** `includeSamples` false leaves `samples` empty (the summary and final sample are always there). */
export const resultsResponse = (view: SimulationResultsView, includeSamples: boolean): GetSimulationResultsResponse => ({
  simulationId: view.simulation.id,
  projectId: view.simulation.projectId,
  status: view.simulation.status,
  startedAt: view.simulation.startedAt,
  completedAt: view.simulation.completedAt ?? 0,
  durationSeconds: view.simulation.durationSeconds,
  finalMetrics: view.finalSample ? toProtoSample(view.finalSample) : undefined,
  summary: { ...view.summary },
  samples: includeSamples ? view.samples.map(toProtoSample) : [],
});

export const liveMetricsResponse = (live: LiveMetrics): GetLiveMetricsResponse => ({
  simulationId: live.simulationId,
  status: live.status,
  latest: live.latest ? toProtoSample(live.latest) : undefined,
  samples: live.samples.map(toProtoSample),
  streamKey: live.streamKey,
});

/** The domain's bottleneck `kind` is the proto's `component`, its first step `simulation_step`. */
export const toProtoBottleneck = (bottleneck: Bottleneck): ProtoBottleneck => ({
  component: bottleneck.kind,
  resource: bottleneck.resource,
  severity: bottleneck.severity,
  description: bottleneck.description,
  observedValue: bottleneck.observedValue,
  threshold: bottleneck.threshold,
  detectedAt: bottleneck.detectedAt,
  simulationStep: bottleneck.fromStep,
});

/**
 * Saturation is found for the whole cluster (`component` "cluster"); `resource` names what crossed
 * its limit first ("latency" or "errors") and `requests_per_sec` is the load offered at that step.
 */
export const toProtoSaturationPoint = (point: SaturationPoint): ProtoSaturationPoint => ({
  component: 'cluster',
  resource: point.trigger === 'error_rate' ? 'errors' : 'latency',
  requestsPerSec: point.offeredRps,
  utilization: point.utilization,
  avgLatency: point.avgLatency,
  reachedAt: point.reachedAt,
  simulationStep: point.simulationStep,
});

export const analysisResponse = (analysis: PerformanceAnalysisView): GetPerformanceAnalysisResponse => ({
  simulationId: analysis.simulationId,
  overallScore: analysis.overallScore,
  bottlenecks: analysis.bottlenecks.map(toProtoBottleneck),
  saturationPoints: analysis.saturationPoints.map(toProtoSaturationPoint),
  recommendations: [...analysis.recommendations],
  summary: { ...analysis.summary },
  analyzedAt: analysis.analyzedAt,
});

export const validationResponse = (validation: ConfigurationValidation): ValidateConfigurationResponse => ({
  valid: validation.valid,
  errors: validation.errors.map(({ field, message }) => ({ field, message })),
  warnings: [...validation.warnings],
  estimatedDuration: validation.estimatedDurationSeconds,
  reason: validation.valid ? '' : `Invalid fields: ${[...new Set(validation.errors.map((e) => e.field))].join(', ')}`,
});

export const toSimulationSummary = (simulation: Simulation): SimulationSummary => ({
  simulationId: simulation.id,
  projectId: simulation.projectId,
  userId: simulation.userId,
  status: simulation.status,
  startedAt: simulation.startedAt,
  completedAt: simulation.completedAt ?? 0,
  durationSeconds: simulation.durationSeconds,
  components: [...simulation.components],
});

export const historyResponse = (history: HistoryView): GetSimulationHistoryResponse => ({
  simulations: history.simulations.map(toSimulationSummary),
  nextPageToken: history.nextPageToken ?? '',
  totalCount: history.totalCount,
});
