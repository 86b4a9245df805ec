import type { OutboxMessage } from '../messaging/outbox.js';
import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { ConfigurationMap } from './configuration.js';
import type { MetricSample } from './model/metric-sample.js';
import type { Simulation, SimulationResults, SimulationStatus } from './simulation.js';
import type { SimulationSummary } from './summary.js';

/** How a user reaches a project: its owner, a share's role, or reading a public project. */
export type ProjectAccess = 'owner' | 'editor' | 'viewer' | 'public';

/** A project as the simulation service needs it. */
export interface ProjectView {
  readonly id: string;
  readonly ownerId: string;
  /** The asking user's access: who may start runs on it follows from this (`mayStartOn`). */
  readonly access: ProjectAccess;
  /** The project's configuration map: the simulation's defaults before a request's overrides. */
  readonly configuration: ConfigurationMap;
}

/** The projects the simulation service reads (the Project Service, over gRPC, in production). */
export interface ProjectDirectory {
  /**
   * The project if `userId` may read it. Failures: `not_found` (no such project), `forbidden` (it
   * exists but the user may not read it). Throws `DependencyUnavailableError` when the directory
   * cannot answer now (docs/adr/0027).
   */
  getProject(projectId: string, userId: string): Promise<Result<ProjectView, DomainFailure>>;
}

/** Permission checks (`simulation:start`): the shared `AuthorizationPort`. */
export type { AuthorizationPort, PermissionDecision } from '../shared/authorization.js';

export interface ScheduledTask {
  /** Stops further calls. Idempotent; a call already running finishes. */
  cancel(): void;
}

/** Drives runs in real time (setInterval in production, a hand-advanced scheduler in tests). */
export interface Scheduler {
  /**
   * Calls `tick` about every `intervalMs` until cancelled. Calls may come late or be skipped under
   * load; the caller measures elapsed time with its Clock rather than counting calls. The returned
   * promise of `tick` is not awaited by production schedulers; `tick` handles its own errors.
   */
  every(intervalMs: number, tick: () => void | Promise<void>): ScheduledTask;
}

/** Position in the history order (startedAt descending, then id descending). */
export interface HistoryCursor {
  readonly startedAt: number;
  readonly id: string;
}

export interface HistoryQuery {
  /** 1..100. */
  readonly limit: number;
  /** Only simulations after this position (the last item of the previous page). */
  readonly after?: HistoryCursor;
  readonly status?: SimulationStatus;
}

export interface HistoryPage {
  /** Newest first (startedAt descending, ties by id descending). */
  readonly items: readonly Simulation[];
  /** Simulations matching the query's filters, over all pages. */
  readonly total: number;
  /** Whether items exist after the last one returned. */
  readonly hasMore: boolean;
}

/** The most simulations that may run at once per user and per project (docs/adr/0036). */
export interface RunningLimits {
  readonly perUser: number;
  readonly perProject: number;
  /**
   * A running simulation counts until this long after its planned end (startedAt + duration): a
   * run its process left behind (a crash) stops counting then instead of holding the quota for ever.
   */
  readonly graceMs: number;
}

/** Storage of simulations and their results. */
export interface SimulationRepository {
  /**
   * Stores a new simulation (version 1). Failure: `conflict` when the id exists. With `limits`, it
   * is stored only while its user and its project have fewer running simulations than the limits
   * (counted as in `RunningLimits`, at `simulation.startedAt`): the count and the insert are one
   * atomic step, so concurrent creates never pass a limit together. Failure: `rate_limited`
   * `simulation_quota_exceeded`, with `retryAfterMs` until the earliest counted run should end.
   * `outbox` is recorded in the same transaction, only when the simulation is stored, under the
   * aggregate `simulation:<id>` (docs/adr/0038).
   */
  create(simulation: Simulation, limits?: RunningLimits, outbox?: readonly OutboxMessage[]): Promise<Result<Simulation, DomainFailure>>;
  /**
   * Replaces the simulation if its stored version is `expectedVersion`, storing and returning it
   * with version `expectedVersion + 1`. Failures: `not_found`, `conflict` (another writer came first).
   * `outbox` is recorded in the same transaction, only when the simulation is stored (as with `create`).
   */
  update(simulation: Simulation, expectedVersion: number, outbox?: readonly OutboxMessage[]): Promise<Result<Simulation, DomainFailure>>;
  findById(id: string): Promise<Simulation | undefined>;
  /** One page of a project's simulations, newest first. */
  listByProject(projectId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** One page of the simulations a user started, newest first. */
  listByUser(userId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Stores the results of a simulation, replacing earlier ones (idempotent). The simulation must exist. */
  saveResults(simulationId: string, samples: readonly MetricSample[], summary: SimulationSummary): Promise<void>;
  findResults(simulationId: string): Promise<SimulationResults | undefined>;
  /**
   * Deletes finished simulations (any status but running) that finished before `cutoff` (epoch
   * ms), with their results. Returns the ids deleted (so their streams can go too), in no
   * particular order. Running simulations are never deleted.
   */
  deleteOlderThan(cutoff: number): Promise<readonly string[]>;
}

/** The live watchers of simulations, reached through the gateways (docs/adr/0052). */
export interface WatcherNotices {
  /**
   * Tells the watchers of `simulation` (as it is once stopped) on every gateway instance who stops
   * it and why; resolves how many took it. Throws `DependencyUnavailableError` when no gateway can answer.
   */
  stopped(simulation: Simulation): Promise<number>;
}
