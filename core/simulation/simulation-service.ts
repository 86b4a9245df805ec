import { maintenanceWindowOf, type MaintenanceWindow } from '../messaging/announcements.js';
import type { DomainEvent } from '../messaging/events.js';
import { MaintenanceWindows } from './maintenance.js';
import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { SimulationDeps } from './deps.js';
import { DEFAULT_SIMULATION_SETTINGS, type SimulationSettings } from './settings.js';
import { getLiveMetrics, type LiveMetrics, type LiveMetricsInput } from './get-live-metrics.js';
import { getPerformanceAnalysis, type PerformanceAnalysisView } from './get-performance-analysis.js';
import { getSimulationHistory, type HistoryInput, type HistoryView } from './get-simulation-history.js';
import { getSimulationResults, type SimulationResultsView } from './get-simulation-results.js';
import { getSimulationStatus, type SimulationStatusView } from './get-simulation-status.js';
import { FinishedStreams } from './run/finished-streams.js';
import { RunRegistry } from './run/run-registry.js';
import { startSimulation, type StartedSimulation, type StartSimulationInput } from './start-simulation.js';
import { stopSimulation, type StopOutcome, type StopSimulationInput } from './stop-simulation.js';
import { validateConfiguration, type ConfigurationValidation, type ValidateConfigurationInput } from './validate-configuration.js';

export interface SimulationRef {
  readonly simulationId: string;
  readonly userId: string;
}

/** The use cases of the simulation service, bound to their dependencies. */
export interface SimulationService {
  startSimulation(input: StartSimulationInput): Promise<Result<StartedSimulation, DomainFailure>>;
  stopSimulation(input: StopSimulationInput): Promise<Result<StopOutcome, DomainFailure>>;
  getStatus(input: SimulationRef): Promise<Result<SimulationStatusView, DomainFailure>>;
  getResults(input: SimulationRef & { readonly maxSamples?: number }): Promise<Result<SimulationResultsView, DomainFailure>>;
  getLiveMetrics(input: LiveMetricsInput): Promise<Result<LiveMetrics, DomainFailure>>;
  getPerformanceAnalysis(input: SimulationRef): Promise<Result<PerformanceAnalysisView, DomainFailure>>;
  validateConfiguration(input: ValidateConfigurationInput): Promise<Result<ConfigurationValidation, DomainFailure>>;
  getHistory(input: HistoryInput): Promise<Result<HistoryView, DomainFailure>>;
  /** Simulations running in this process. */
  activeRuns(): number;
  /**
   * Learns a maintenance window from a `system:announcements` event (or one of auth's current
   * announcements at start); resolves the window, undefined for an event that announces none.
   */
  applyAnnouncement(event: DomainEvent): MaintenanceWindow | undefined;
  /** Stops every run of this process, keeping partial results (graceful shutdown). */
  shutdown(reason?: string): Promise<void>;
}

export type SimulationServiceDeps = Omit<SimulationDeps, 'runs' | 'finishedStreams' | 'settings' | 'maintenance'> & {
  readonly settings?: Partial<SimulationSettings>;
};

/** Builds the service; throws on settings out of range (a configuration fault of the deployment). */
export const createSimulationService = (input: SimulationServiceDeps): SimulationService => {
  const settings: SimulationSettings = { ...DEFAULT_SIMULATION_SETTINGS, ...input.settings };
  if (!Number.isInteger(settings.updatesPerSecond) || settings.updatesPerSecond < 10 || settings.updatesPerSecond > 100) {
    throw new RangeError(`updatesPerSecond must be an integer from 10 to 100, got ${settings.updatesPerSecond}`);
  }
  if (settings.liveSampleCapacity < 1 || settings.batchStepsPerTick < 1)
    throw new RangeError('liveSampleCapacity and batchStepsPerTick must be positive');
  const { perUser, perProject, graceMs } = settings.running;
  if (![perUser, perProject].every((limit) => Number.isInteger(limit) && limit >= 1) || !(graceMs >= 0)) {
    throw new RangeError(`running limits must be positive integers and the grace not negative, got ${JSON.stringify(settings.running)}`);
  }
  if (!(settings.finishedStreamGraceMs >= 0)) throw new RangeError('finishedStreamGraceMs must be 0 or more');
  const finishedStreams = new FinishedStreams(input, settings.finishedStreamGraceMs);
  const deps: SimulationDeps = { ...input, settings, runs: new RunRegistry(), finishedStreams, maintenance: new MaintenanceWindows() };
  return {
    startSimulation: (request) => startSimulation(deps, request),
    stopSimulation: (request) => stopSimulation(deps, request),
    getStatus: (request) => getSimulationStatus(deps, request),
    getResults: (request) => getSimulationResults(deps, request),
    getLiveMetrics: (request) => getLiveMetrics(deps, request),
    getPerformanceAnalysis: (request) => getPerformanceAnalysis(deps, request),
    validateConfiguration: (request) => validateConfiguration(deps, request),
    getHistory: (request) => getSimulationHistory(deps, request),
    activeRuns: () => deps.runs.all().length,
    applyAnnouncement: (event) => {
      const window = maintenanceWindowOf(event);
      if (window) deps.maintenance.record(window);
      return window;
    },
    shutdown: async (reason = 'service shutting down') => {
      await Promise.allSettled(deps.runs.all().map((run) => run.stop('system', reason)));
      finishedStreams.cancel();
    },
  };
};
