import {
  configurationToMap,
  type Bottleneck,
  type ConfigurationValidation,
  type HistoryView,
  type LiveMetrics,
  type MetricSample,
  type PerformanceAnalysisView,
  type SaturationPoint,
  type Simulation,
  type SimulationResultsView,
  type SimulationStatusView,
  type StartedSimulation,
  type StopOutcome,
} from '../../../core/simulation/index.js';

/**
 * Simulations as clients see them: snake_case, epoch-ms times, `null` for what is absent. Metric
 * samples already carry the stream's snake_case names and travel as they are.
 */

const sampleJson = (sample: MetricSample | undefined): MetricSample | null => (sample ? { ...sample } : null);

export const simulationJson = (simulation: Simulation) => ({
  id: simulation.id,
  project_id: simulation.projectId,
  user_id: simulation.userId,
  status: simulation.status,
  configuration: configurationToMap(simulation.config),
  components: [...simulation.components],
  duration_seconds: simulation.durationSeconds,
  real_time: simulation.realTime,
  updates_per_second: simulation.updatesPerSecond,
  total_steps: simulation.totalSteps,
  steps_completed: simulation.stepsCompleted,
  started_at: simulation.startedAt,
  completed_at: simulation.completedAt ?? null,
  stopped_by: simulation.stoppedBy ?? null,
  stop_reason: simulation.stopReason ?? null,
});

export const startedJson = (started: StartedSimulation) => ({
  simulation_id: started.simulationId,
  status: started.status,
  started_at: started.startedAt,
  websocket_channel: started.websocketChannel ?? null,
  estimated_duration_seconds: started.estimatedDurationSeconds,
});

export const stopJson = (outcome: StopOutcome) => ({
  stopped: outcome.stopped,
  reason: outcome.reason ?? null,
  simulation: simulationJson(outcome.simulation),
});

export const statusJson = (view: SimulationStatusView) => ({
  simulation_id: view.simulationId,
  project_id: view.projectId,
  status: view.status,
  progress_percentage: view.progressPercentage,
  steps_completed: view.stepsCompleted,
  total_steps: view.totalSteps,
  started_at: view.startedAt,
  estimated_completion: view.estimatedCompletion,
  active_components: [...view.activeComponents],
  current_metrics: sampleJson(view.currentMetrics),
});

export const resultsJson = (view: SimulationResultsView, includeSamples: boolean) => ({
  simulation: simulationJson(view.simulation),
  final: view.final,
  summary: { ...view.summary },
  final_metrics: sampleJson(view.finalSample),
  total_samples: view.totalSamples,
  samples: includeSamples ? view.samples.map((sample) => ({ ...sample })) : [],
});

export const liveMetricsJson = (live: LiveMetrics) => ({
  simulation_id: live.simulationId,
  status: live.status,
  latest: sampleJson(live.latest),
  samples: live.samples.map((sample) => ({ ...sample })),
  stream_key: live.streamKey,
});

export const bottleneckJson = (bottleneck: Bottleneck) => ({
  kind: bottleneck.kind,
  resource: bottleneck.resource,
  severity: bottleneck.severity,
  from_step: bottleneck.fromStep,
  to_step: bottleneck.toStep,
  steps_affected: bottleneck.stepsAffected,
  detected_at: bottleneck.detectedAt,
  observed_value: bottleneck.observedValue,
  threshold: bottleneck.threshold,
  description: bottleneck.description,
});

export const saturationPointJson = (point: SaturationPoint) => ({
  trigger: point.trigger,
  simulation_step: point.simulationStep,
  reached_at: point.reachedAt,
  offered_rps: point.offeredRps,
  served_rps: point.servedRps,
  utilization: point.utilization,
  avg_latency: point.avgLatency,
  error_rate: point.errorRate,
});

export const analysisJson = (analysis: PerformanceAnalysisView) => ({
  simulation_id: analysis.simulationId,
  status: analysis.status,
  overall_score: analysis.overallScore,
  summary: { ...analysis.summary },
  bottlenecks: analysis.bottlenecks.map(bottleneckJson),
  saturation_points: analysis.saturationPoints.map(saturationPointJson),
  recommendations: [...analysis.recommendations],
  analyzed_at: analysis.analyzedAt,
});

export const validationJson = (validation: ConfigurationValidation) => ({
  valid: validation.valid,
  errors: validation.errors.map(({ field, message }) => ({ field, message })),
  warnings: [...validation.warnings],
  estimated_duration_seconds: validation.estimatedDurationSeconds,
});

export const historyJson = (history: HistoryView) => ({
  simulations: history.simulations.map(simulationJson),
  next_page_token: history.nextPageToken ?? null,
  total_count: history.totalCount,
});
